using MiniRun.Images;
using MiniRun.Images.Registry;
using MiniRun.Images.Registry.Credentials;

namespace MiniRun.Tests.Registry;

/// <summary>The pure parts of the registry client: challenges, platforms, plain-HTTP rules, Docker config logins.</summary>
public sealed class RegistryClientPartsTests
{
    [Fact]
    public void Parse_DockerHubStyleBearerChallenge_GivesRealmServiceAndScope()
    {
        AuthChallenge challenge = Assert.Single(AuthChallenge.Parse(
            "Bearer realm=\"https://auth.example.test/token\",service=\"registry.example.test\",scope=\"repository:library/alpine:pull\""));

        Assert.True(challenge.IsBearer);
        Assert.Equal("https://auth.example.test/token", challenge.Realm);
        Assert.Equal("registry.example.test", challenge.Service);
        Assert.Equal("repository:library/alpine:pull", challenge.Scope);
    }

    [Fact]
    public void Parse_TwoChallengesInOneHeader_GivesBoth()
    {
        IReadOnlyList<AuthChallenge> challenges = AuthChallenge.Parse("Basic realm=\"x, y\", Bearer realm=\"https://t.test/\",service=s");

        Assert.Equal(["Basic", "Bearer"], challenges.Select(c => c.Scheme));
        Assert.Equal("x, y", challenges[0].Realm);
        Assert.Equal("s", challenges[1].Service);
    }

    [Theory]
    [InlineData("linux/arm64", "linux/arm64")]
    [InlineData("linux/arm64/v8", "linux/arm64")]
    [InlineData("linux/aarch64", "linux/arm64")]
    [InlineData("linux/x86_64", "linux/amd64")]
    [InlineData("arm/v7", "arm/v7")]
    [InlineData("amd64", "linux/amd64")]
    public void Parse_Platform_IsNormalisedAsContainerdDoes(string text, string expected)
    {
        if (text == "arm/v7")
        {
            Assert.Throws<InvalidInputException>(() => PlatformSpec.Parse(text)); // os "arm" is no linux
            return;
        }
        Assert.Equal(expected, PlatformSpec.Parse(text).ToString());
    }

    [Fact]
    public void Choose_IndexWithAttestation_SkipsItAndTakesTheMatchingImage()
    {
        var attestation = new OciDescriptor
        {
            Digest = "sha256:" + new string('a', 64),
            Platform = new OciPlatform { Os = "linux", Architecture = "amd64" }, // even if it claimed a platform
            Annotations = new() { ["vnd.docker.reference.type"] = "attestation-manifest" },
        };
        var arm = new OciDescriptor { Digest = "sha256:" + new string('b', 64), Platform = new OciPlatform { Os = "linux", Architecture = "arm64", Variant = "v8" } };
        var amd = new OciDescriptor { Digest = "sha256:" + new string('c', 64), Platform = new OciPlatform { Os = "linux", Architecture = "amd64" } };

        Assert.Same(amd, PlatformSpec.Parse("linux/amd64").Choose([attestation, arm, amd]));
        Assert.Same(arm, PlatformSpec.Parse("linux/arm64").Choose([attestation, arm, amd]));
        Assert.Null(PlatformSpec.Parse("linux/s390x").Choose([attestation, arm, amd]));
    }

    [Theory]
    [InlineData("localhost:5000", true)]
    [InlineData("127.0.0.1:5000", true)]
    [InlineData("127.1.2.3", true)]
    [InlineData("[::1]:5000", true)]
    [InlineData("registry.example.test", false)]
    [InlineData("10.0.0.1:5000", false)]
    [InlineData("docker.io", false)]
    public void For_Domain_AllowsPlainHttpOnlyForLoopback(string domain, bool plainHttp) =>
        Assert.Equal(plainHttp, RegistryEndpoint.For(domain, []).AllowsPlainHttp);

    [Fact]
    public void For_InsecureRegistryListed_AllowsPlainHttpForThatHostOnly()
    {
        Assert.True(RegistryEndpoint.For("registry.example.test:5000", ["registry.example.test:5000"]).AllowsPlainHttp);
        Assert.True(RegistryEndpoint.For("registry.example.test:5000", ["registry.example.test"]).AllowsPlainHttp);
        Assert.False(RegistryEndpoint.For("registry.example.test:5000", ["registry.example.test:6000"]).AllowsPlainHttp);
        Assert.False(RegistryEndpoint.For("other.example.test", ["registry.example.test"]).AllowsPlainHttp);
    }

    [Fact]
    public void For_DockerHub_TalksToItsApiHost()
    {
        RegistryEndpoint hub = RegistryEndpoint.For(ImageReference.Parse("alpine").Domain, []);
        Assert.Equal(DockerHub.ApiHost, hub.Host);
        Assert.False(hub.AllowsPlainHttp);
    }

    [Fact]
    public void Find_DockerConfigAuths_ReadsBase64AndPlainEntries()
    {
        using var temp = new TempDirectory();
        string config = temp.Combine("config.json");
        string encoded = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("hub-user:hub:pass"));
        File.WriteAllText(config, $$$"""
            {"auths":{
              "{{{DockerHub.CredentialsKey}}}":{"auth":"{{{encoded}}}"},
              "https://registry.example.test:5000/v2/":{"username":"u","password":"p"}
            }}
            """);

        CredentialStore store = CredentialStore.Open(config)!;
        Assert.Equal(new RegistryCredentials("hub-user", "hub:pass"), store.Find("docker.io"));
        Assert.Equal(new RegistryCredentials("u", "p"), store.Find("registry.example.test:5000"));
        Assert.Null(store.Find("other.example.test"));
        Assert.Null(CredentialStore.Open(temp.Combine("missing.json"))!.Find("docker.io"));
    }
}
