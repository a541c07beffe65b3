using MiniRun.Cli.CommandLine;
using MiniRun.Cli.Output;
using MiniRun.Images.Registry;

namespace MiniRun.Cli.Verbs;

/// <summary>The flags `pull` and `run` share (--platform, --insecure-registry) turned into the library's pull options.</summary>
public static class PullOptionsParser
{
    public static readonly OptionSpec Platform = OptionSpec.Value("platform", null, "OS/ARCH[/VARIANT]", "Pull this platform from a multi-platform image (default: linux and this machine's architecture)");
    public static readonly OptionSpec InsecureRegistry = OptionSpec.Value("insecure-registry", null, "HOST[:PORT]", "Allow plain HTTP to this registry (repeatable; also $MINIRUN_INSECURE_REGISTRIES; loopback always is)");

    /// <param name="printer">made on the first progress report: a run from a local image reports none, and making
    /// Console.Error (a duplicated descriptor, the charset looked up, a writer) is a cost on the way to every start.</param>
    public static PullOptions Create(ParsedArguments args, Func<PullProgressPrinter> printer, bool quiet)
    {
        var made = new Lazy<PullProgressPrinter>(printer);
        return new PullOptions
        {
            Platform = args.Get("platform") is { } platform ? PlatformSpec.Parse(platform) : PlatformSpec.Current,
            Client = new RegistryClientOptions { InsecureRegistries = [.. args.GetAll("insecure-registry"), .. RegistryEndpoint.FromEnvironment()] },
            Progress = quiet ? null : progress => made.Value.Report(progress),
        };
    }
}
