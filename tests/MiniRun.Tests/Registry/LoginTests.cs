using System.Text;
using System.Text.Json.Nodes;
using MiniRun.Fixtures;
using MiniRun.Fixtures.Images;
using MiniRun.Fixtures.Registry;

namespace MiniRun.Tests.Registry;

/// <summary>
/// `minirun login` and `logout` against a real registry on 127.0.0.1 that wants a login (htpasswd), with a Docker config
/// of the test's own (DOCKER_CONFIG in a temp directory, never ~/.docker): what is stored, where, and that pull uses it.
/// </summary>
public sealed class LoginTests : IDisposable
{
    private const string User = "learner", Password = "s3cret";
    // Keys docker writes and MiniRun does not know: a login must leave them as they were.
    private const string OtherKeys = """{"detachKeys":"ctrl-x","proxies":{"default":{"noProxy":"*.test"}},"currentContext":"default"}""";
    private readonly TempDirectory _scratch = new("minirun-login");
    private readonly LocalRegistry? _registry;
    private readonly MiniRunCli _cli;

    public LoginTests()
    {
        _cli = new MiniRunCli(_scratch.Combine("store"));
        Directory.CreateDirectory(DockerConfig);
        if (!MiniRun.Native.Syscalls.IsRoot || !LocalRegistry.CanRequireLogin) return;
        _registry = new LocalRegistry((User, Password));
        string layout = _scratch.Combine("layout");
        new ImageArchiveBuilder { Compression = LayerCompression.Gzip }
            .AddLayer(BusyboxRootfs.LayerTarBytes())
            .AddLayer(LayerTar.Files(("srv/marker", "private\n")))
            .Write(ArchiveFormat.OciLayout, layout);
        _registry.Push(layout, "private/minibox:1");
    }

    public void Dispose()
    {
        if (MiniRun.Native.Syscalls.IsRoot)
            foreach (string id in _cli.Run("ps", "-aq").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                _cli.Run("rm", "-f", id);
        _registry?.Dispose();
        _scratch.Dispose();
    }

    private LocalRegistry Registry => _registry!;
    private string Image => $"{Registry.Host}/private/minibox:1";
    private string DockerConfig => _scratch.Combine("docker-config");
    private string ConfigFile => Path.Combine(DockerConfig, "config.json");

    private MiniRunCli.Result Minirun(params string[] args) => MinirunWithPath(null, args);

    private MiniRunCli.Result MinirunWithPath(string? path, params string[] args)
    {
        var environment = new Dictionary<string, string> { ["DOCKER_CONFIG"] = DockerConfig };
        if (path is not null) environment["PATH"] = path;
        return _cli.RunWithEnvironment(environment, args);
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    private JsonObject Config() => JsonNode.Parse(File.ReadAllText(ConfigFile))!.AsObject();

    private void AssertOtherKeysKept()
    {
        JsonObject config = Config();
        Assert.Equal("ctrl-x", (string?)config["detachKeys"]);
        Assert.Equal("*.test", (string?)config["proxies"]!["default"]!["noProxy"]);
        Assert.Equal("default", (string?)config["currentContext"]);
    }

    [LoginRegistryFact]
    public void Pull_PrivateRegistryWithoutLogin_FailsUnauthorizedInOneLine()
    {
        MiniRunCli.Result pull = Minirun("pull", Image);

        Assert.Equal(1, pull.ExitCode); // as Docker's "no basic auth credentials"
        string error = Assert.Single(pull.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"minirun: registry {Registry.Host}: manifest private/minibox:1: unauthorized", error);
        Assert.EndsWith($"(not logged in: minirun login {Registry.Host})", error);
    }

    [LoginRegistryFact]
    public void Login_WrongPassword_ExitsOneUnauthorizedAndWritesNothing()
    {
        File.WriteAllText(ConfigFile, OtherKeys);

        MiniRunCli.Result login = _cli.RunWithInputAndEnvironment("wrong\n", new Dictionary<string, string> { ["DOCKER_CONFIG"] = DockerConfig },
            "login", "-u", User, "--password-stdin", Registry.Host);

        Assert.Equal(1, login.ExitCode);
        string error = Assert.Single(login.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"minirun: registry {Registry.Host}: login of \"{User}\": unauthorized (UNAUTHORIZED: authentication required)", error);
        Assert.DoesNotContain("Login Succeeded", login.Stdout);
        Assert.Equal(OtherKeys, File.ReadAllText(ConfigFile));
    }

    [LoginRegistryFact]
    public void Login_RightPassword_StoresTheAuthKeepsOtherKeysAndPullWorks()
    {
        File.WriteAllText(ConfigFile, OtherKeys);

        MiniRunCli.Result login = Minirun("login", "-u", User, "-p", Password, Registry.Host);

        Assert.True(login.ExitCode == 0, login.ToString());
        Assert.Equal("Login Succeeded\n", login.Stdout);
        Assert.StartsWith("WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n", login.Stderr);
        Assert.Contains($"WARNING! Your credentials are stored unencrypted in '{ConfigFile}'.", login.Stderr);
        Assert.Equal(Base64($"{User}:{Password}"), (string?)Config()["auths"]![Registry.Host]!["auth"]);
        AssertOtherKeysKept();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(ConfigFile));
        Assert.Empty(Directory.GetFiles(DockerConfig, "*.tmp*"));

        MiniRunCli.Result pull = Minirun("pull", "-q", Image);
        Assert.True(pull.ExitCode == 0, pull.ToString());
        MiniRunCli.Result run = Minirun("run", "--rm", "--network", "none", Image, "cat", "/srv/marker");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("private\n", run.Stdout);

        // Again without -u: the stored login is tried first, as docker does.
        MiniRunCli.Result again = Minirun("login", Registry.Host);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal("Login Succeeded\n", again.Stdout);
        Assert.Contains($"Authenticating with existing credentials... [Username: {User}]", again.Stderr);
    }

    [LoginRegistryFact]
    public void Logout_AfterLogin_RemovesTheEntryAndPullIsRefusedAgain()
    {
        File.WriteAllText(ConfigFile, OtherKeys);
        Assert.Equal(0, _cli.RunWithInputAndEnvironment(Password, new Dictionary<string, string> { ["DOCKER_CONFIG"] = DockerConfig },
            "login", "-u", User, "--password-stdin", Registry.Host).ExitCode);

        MiniRunCli.Result logout = Minirun("logout", Registry.Host);

        Assert.True(logout.ExitCode == 0, logout.ToString());
        Assert.Equal($"Removing login credentials for {Registry.Host}\n", logout.Stdout);
        Assert.False(Config()["auths"]!.AsObject().ContainsKey(Registry.Host));
        AssertOtherKeysKept();
        Assert.Equal(1, Minirun("pull", Image).ExitCode);

        MiniRunCli.Result twice = Minirun("logout", Registry.Host);
        Assert.Equal(0, twice.ExitCode);
        Assert.Equal($"Removing login credentials for {Registry.Host}\n", twice.Stdout); // docker 28 says so every time
        Assert.Equal("", twice.Stderr);
    }

    [LoginRegistryFact]
    public void Login_CredsStoreHelper_StoresGetsAndErasesThroughIt() => ThroughHelper(host => $$"""{"credsStore":"{{FakeCredentialHelper.Name}}","detachKeys":"ctrl-x"}""");

    [LoginRegistryFact]
    public void Login_CredHelpersEntry_StoresGetsAndErasesThroughIt() =>
        ThroughHelper(host => $$"""{"credHelpers":{"{{host}}":"{{FakeCredentialHelper.Name}}","other.example.test":"missing"},"detachKeys":"ctrl-x"}""");

    /// <summary>The secret goes to the helper, config.json keeps an empty entry (as docker writes it), pull asks the helper.</summary>
    private void ThroughHelper(Func<string, string> config)
    {
        var helper = new FakeCredentialHelper(_scratch.Combine("helper-bin"));
        File.WriteAllText(ConfigFile, config(Registry.Host));

        MiniRunCli.Result login = MinirunWithPath(helper.SearchPath, "login", "-u", User, "-p", Password, Registry.Host);

        Assert.True(login.ExitCode == 0, login.ToString());
        Assert.Equal("Login Succeeded\n", login.Stdout);
        Assert.DoesNotContain("stored unencrypted", login.Stderr);
        Assert.Equal([$"store {Registry.Host}"], helper.Calls);
        Assert.Contains($"\"Username\":\"{User}\",\"Secret\":\"{Password}\"", helper.Stored);
        Assert.Empty(Config()["auths"]![Registry.Host]!.AsObject());
        Assert.DoesNotContain(Password, File.ReadAllText(ConfigFile));
        Assert.Equal("ctrl-x", (string?)Config()["detachKeys"]);

        MiniRunCli.Result pull = MinirunWithPath(helper.SearchPath, "pull", "-q", Image);
        Assert.True(pull.ExitCode == 0, pull.ToString());
        Assert.Equal($"get {Registry.Host}", helper.Calls[^1]);

        MiniRunCli.Result logout = MinirunWithPath(helper.SearchPath, "logout", Registry.Host);
        Assert.True(logout.ExitCode == 0, logout.ToString());
        Assert.Equal($"Removing login credentials for {Registry.Host}\n", logout.Stdout);
        Assert.Contains($"erase {Registry.Host}", helper.Calls); // and the forms older clients wrote, as docker 28 does
        Assert.DoesNotContain("WARNING", logout.Stderr);
        Assert.Equal("", helper.Stored.Trim());
        Assert.False(Config()["auths"]!.AsObject().ContainsKey(Registry.Host));
    }

    [LoginRegistryFact]
    public void Login_HelperNotOnPath_ExitsOneNamingItAndStoresNothing()
    {
        string config = """{"credsStore":"absent-helper"}""";
        File.WriteAllText(ConfigFile, config);

        MiniRunCli.Result login = Minirun("login", "-u", User, "-p", Password, Registry.Host);

        Assert.Equal(1, login.ExitCode);
        Assert.Contains("minirun: docker-credential-absent-helper: executable file not found in $PATH", login.Stderr);
        Assert.Equal(config, File.ReadAllText(ConfigFile));
    }

    [LoginRegistryFact(NeedsDocker = true)]
    public void Pull_ConfigWrittenByDockerLogin_PullsUnchanged()
    {
        var environment = new Dictionary<string, string> { ["DOCKER_CONFIG"] = DockerConfig };
        // 127.0.0.0/8 registries are insecure for dockerd by default: plain http, as ours.
        ExternalCommand.CheckResult(ExternalCommand.Run("docker", ["login", "-u", User, "-p", Password, Registry.Host], TimeSpan.FromMinutes(1), environment));
        Assert.Equal(Base64($"{User}:{Password}"), (string?)Config()["auths"]![Registry.Host]!["auth"]);

        MiniRunCli.Result pull = Minirun("pull", "-q", Image);

        Assert.True(pull.ExitCode == 0, pull.ToString());
        Assert.Equal(Image + "\n", pull.Stdout);
        // And the other way: docker logs out of what it finds.
        MiniRunCli.Result logout = Minirun("logout", Registry.Host);
        Assert.Equal($"Removing login credentials for {Registry.Host}\n", logout.Stdout);
    }

    [Fact]
    public void Login_BadFlagCombinations_ExitOneAsDocker()
    {
        var environment = new Dictionary<string, string> { ["DOCKER_CONFIG"] = DockerConfig };
        MiniRunCli.Result both = _cli.RunWithInputAndEnvironment("x", environment, "login", "-u", User, "-p", "x", "--password-stdin", "127.0.0.1:1");
        MiniRunCli.Result noUser = _cli.RunWithInputAndEnvironment("x", environment, "login", "--password-stdin", "127.0.0.1:1");
        MiniRunCli.Result noTty = _cli.RunWithEnvironment(environment, "login", "127.0.0.1:1");
        MiniRunCli.Result two = _cli.RunWithEnvironment(environment, "logout", "a", "b");

        Assert.Equal((1, "minirun: conflicting options: cannot specify both --password and --password-stdin\n"), (both.ExitCode, both.Stderr));
        Assert.Equal((1, "minirun: the --password-stdin option requires --username to be set\n"), (noUser.ExitCode, noUser.Stderr));
        Assert.Equal(1, noTty.ExitCode);
        Assert.StartsWith("minirun: Cannot perform an interactive login from a non TTY device", noTty.Stderr);
        Assert.Equal(1, two.ExitCode);
        Assert.False(File.Exists(ConfigFile));
    }
}
