using MiniRun.Cli.CommandLine;
using MiniRun.Cli.Output;
using MiniRun.Images.Registry.Credentials;

namespace MiniRun.Cli.Verbs;

/// <summary>docker logout: forget a registry's login, in config.json and in its credential helper.</summary>
public sealed class LogoutVerb : IVerb
{
    public VerbGroup Group => VerbGroup.Common;
    /// <summary>Only the user's Docker config (and a credential helper): any user may run it, as docker login.</summary>
    public bool NeedsRoot => false;
    public string Name => "logout";
    public string Usage => "minirun logout [SERVER]";
    public string Summary => "Log out from a registry (Docker Hub when no SERVER is given)";

    public IReadOnlyList<OptionSpec> Options { get; } = [];

    public int Execute(ParsedArguments args, CliContext context)
    {
        try
        {
            if (args.Positionals.Count > 1) throw new UsageException("\"minirun logout\" requires at most 1 argument (see 'minirun logout --help')");
            string configPath = DockerClientConfig.DefaultPath() ?? throw new MiniRunException("no place for Docker's config: set DOCKER_CONFIG or HOME");
            LogoutResult result = RegistryLogout.Run(new CredentialStore(DockerClientConfig.Load(configPath)), args.Positionals.FirstOrDefault());
            context.Out.WriteLine($"Removing login credentials for {result.Hostname}");
            if (result.Failures.Count > 0) Console.Error.WriteLine("WARNING: could not erase credentials:");
            foreach ((string key, string error) in result.Failures) Console.Error.WriteLine($"{key}: {error}");
            return 0;
        }
        catch (MiniRunException e)
        {
            ErrorPrinter.Print(e);
            return 1;
        }
    }
}
