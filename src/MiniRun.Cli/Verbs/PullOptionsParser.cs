using MiniRun.Cli.CommandLine;
using MiniRun.Cli.Output;
using MiniRun.Images.Registry;

namespace MiniRun.Cli.Verbs;

/// <summary>The flags `pull` and `run` share (--platform, --insecure-registry) turned into the library's pull options.</summary>
public static class PullOptionsParser
{
    public static readonly OptionSpec Platform = OptionSpec.Value("platform", null, "OS/ARCH[/VARIANT]", "Pull this platform from a multi-platform image (default: linux and this machine's architecture)");
    public static readonly OptionSpec InsecureRegistry = OptionSpec.Value("insecure-registry", null, "HOST[:PORT]", "Allow plain HTTP to this registry (repeatable; also $MINIRUN_INSECURE_REGISTRIES; loopback always is)");

    public static PullOptions Create(ParsedArguments args, TextWriter output, bool terminal, bool quiet)
    {
        var printer = new PullProgressPrinter(output, terminal);
        return new PullOptions
        {
            Platform = args.Get("platform") is { } platform ? PlatformSpec.Parse(platform) : PlatformSpec.Current,
            Client = new RegistryClientOptions { InsecureRegistries = [.. args.GetAll("insecure-registry"), .. RegistryEndpoint.FromEnvironment()] },
            Progress = quiet ? null : printer.Report,
        };
    }
}
