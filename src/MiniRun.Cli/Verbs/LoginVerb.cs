using MiniRun.Cli.CommandLine;
using MiniRun.Cli.Output;
using MiniRun.Images.Registry;
using MiniRun.Images.Registry.Credentials;

namespace MiniRun.Cli.Verbs;

/// <summary>docker login: check a login against the registry, then keep it where docker keeps it. Failures exit 1, as docker's.</summary>
public sealed class LoginVerb : IVerb
{
    public VerbGroup Group => VerbGroup.Common;
    /// <summary>Only the user's Docker config (and a credential helper): any user may run it, as docker login.</summary>
    public bool NeedsRoot => false;
    public string Name => "login";
    public string Usage => "minirun login [OPTIONS] [SERVER]";
    public string Summary => "Log in to a registry (Docker Hub when no SERVER is given)";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        OptionSpec.Value("username", 'u', "USER", "Username"),
        OptionSpec.Value("password", 'p', "PASS", "Password or token (visible to other users: prefer --password-stdin)"),
        OptionSpec.Flag("password-stdin", null, "Take the password from stdin"),
    ];

    public int Execute(ParsedArguments args, CliContext context)
    {
        try
        {
            return LogIn(args, context);
        }
        catch (MiniRunException e)
        {
            ErrorPrinter.Print(e);
            return 1;
        }
    }

    private static int LogIn(ParsedArguments args, CliContext context)
    {
        if (args.Positionals.Count > 1) throw new UsageException("\"minirun login\" requires at most 1 argument (see 'minirun login --help')");
        string? user = args.Get("username");
        string? password = args.Get("password");
        if (password is not null)
        {
            if (args.Has("password-stdin")) throw new UsageException("conflicting options: cannot specify both --password and --password-stdin");
            Console.Error.WriteLine("WARNING! Using --password via the CLI is insecure. Use --password-stdin.");
        }
        if (args.Has("password-stdin"))
        {
            if (user is null) throw new UsageException("the --password-stdin option requires --username to be set");
            password = Console.In.ReadToEnd().TrimEnd('\n').TrimEnd('\r');
        }

        string configPath = DockerClientConfig.DefaultPath() ?? throw new MiniRunException("no place for Docker's config: set DOCKER_CONFIG or HOME");
        var login = new RegistryLogin(new CredentialStore(DockerClientConfig.Load(configPath)),
            new RegistryClientOptions { InsecureRegistries = RegistryEndpoint.FromEnvironment(), DockerConfigPath = configPath });
        string key = RegistryLogin.KeyFor(args.Positionals.FirstOrDefault());

        // As docker: with neither -u nor a password, the stored login is tried before asking for one.
        RegistryCredentials? stored = null;
        if (user is null && string.IsNullOrEmpty(password) && (stored = login.Stored(key)) is not null)
        {
            Console.Error.WriteLine($"Authenticating with existing credentials... [Username: {stored.Username}]");
            try
            {
                login.Verify(key, stored);
                context.Out.WriteLine("Login Succeeded");
                return 0;
            }
            catch (RegistryException e)
            {
                Console.Error.WriteLine($"Login did not succeed, error: {e.Message}");
            }
        }
        RegistryCredentials credentials = CredentialPrompt.Complete(user ?? "", password ?? "", stored?.Username);

        LoginResult result = login.LogIn(key, credentials);
        if (result.StoredInPlainText)
            Console.Error.WriteLine($"\nWARNING! Your credentials are stored unencrypted in '{configPath}'.\n" +
                "Configure a credential helper to remove this warning. See\nhttps://docs.docker.com/go/credential-store/\n");
        context.Out.WriteLine("Login Succeeded");
        return 0;
    }
}
