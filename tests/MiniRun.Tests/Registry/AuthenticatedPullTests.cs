using MiniRun.Fixtures.Images;

namespace MiniRun.Tests.Registry;

/// <summary>The 401 → token → retry flow, credentials from a Docker config, redirects and retries, through the real binary.</summary>
public sealed class AuthenticatedPullTests : IDisposable
{
    private readonly TempDirectory _scratch = new("minirun-auth-pull");

    public void Dispose() => _scratch.Dispose();

    private (TokenAuthRegistry Registry, ImageArchiveBuilder Image) Start()
    {
        var image = new ImageArchiveBuilder { Compression = LayerCompression.Gzip }
            .AddLayer(LayerTar.Files(("etc/os-release", "ID=auth\n")))
            .AddLayer(LayerTar.Files(("srv/marker", "authenticated\n")));
        string layout = _scratch.Combine("layout");
        image.Write(ArchiveFormat.OciLayout, layout);
        return (new TokenAuthRegistry(layout, "test/auth", "1"), image);
    }

    private MiniRunCli.Result Pull(string reference, string? auths)
    {
        string dockerConfig = _scratch.Combine("docker-config");
        Directory.CreateDirectory(dockerConfig);
        File.WriteAllText(Path.Combine(dockerConfig, "config.json"), auths ?? "{}");
        var cli = new MiniRunCli(_scratch.Combine("store"));
        return cli.RunWithEnvironment(new Dictionary<string, string> { ["DOCKER_CONFIG"] = dockerConfig }, "pull", reference);
    }

    [RegistryFact]
    public void Pull_BearerChallengeWithLogin_GetsATokenRetriesAndNeverSendsItToTheRedirectHost()
    {
        (TokenAuthRegistry registry, ImageArchiveBuilder image) = Start();
        using (registry)
        {
            string auth = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{TokenAuthRegistry.User}:{TokenAuthRegistry.Password}"));
            MiniRunCli.Result pull = Pull($"{registry.Host}/test/auth:1", $"{{\"auths\":{{\"{registry.Host}\":{{\"auth\":\"{auth}\"}}}}}}");

            Assert.True(pull.ExitCode == 0, pull.ToString());
            Assert.True(registry.TokensIssued >= 1);
            Assert.Empty(registry.CdnAuthorizations);
            // Every layer's first request got 503: it was asked again, and once more is all it took.
            foreach (string diffId in image.DiffIds)
                Assert.True(Directory.Exists(_scratch.Combine("store", "layers", diffId[7..])), diffId);
            string marker = _scratch.Combine("store", "layers", image.DiffIds[1][7..], "diff", "srv", "marker");
            Assert.Equal("authenticated\n", File.ReadAllText(marker));
        }
    }

    [RegistryFact]
    public void Pull_BearerChallengeWithoutLogin_FailsNamingTheRegistry()
    {
        (TokenAuthRegistry registry, _) = Start();
        using (registry)
        {
            MiniRunCli.Result pull = Pull($"{registry.Host}/test/auth:1", null);

            Assert.Equal(1, pull.ExitCode); // docker pull: 1
            string error = Assert.Single(pull.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith($"minirun: registry {registry.Host}: the token server refused an anonymous pull of test/auth", error);
            Assert.Equal(0, registry.TokensIssued);
            Assert.True(registry.TokenRefusals >= 1);
        }
    }
}
