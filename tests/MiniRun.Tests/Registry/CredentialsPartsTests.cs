using MiniRun.Images.Registry.Credentials;

namespace MiniRun.Tests.Registry;

/// <summary>The pure parts of logins: the keys docker writes, the config file kept whole, helper names refused.</summary>
public sealed class CredentialsPartsTests
{
    [Theory]
    [InlineData(null, "https://index.docker.io/v1/")]
    [InlineData("docker.io", "https://index.docker.io/v1/")]
    [InlineData("https://index.docker.io/v1/", "https://index.docker.io/v1/")]
    [InlineData("registry-1.docker.io", "https://index.docker.io/v1/")]
    [InlineData("127.0.0.1:5000", "127.0.0.1:5000")]
    [InlineData("https://registry.example.test:5000/v2/", "registry.example.test:5000")]
    public void ForLogin_ServerAsTyped_GivesTheKeyDockerWrites(string? server, string key) => Assert.Equal(key, ServerAddress.ForLogin(server));

    [Fact]
    public void Save_AfterSetAndRemove_KeepsUnknownKeysTabIndentedAndOwnerOnly()
    {
        using var temp = new TempDirectory();
        string path = temp.Combine("config.json");
        File.WriteAllText(path, """{"psFormat":"table {{.ID}}","auths":{"a.test":{"auth":"eDp5"}},"plugins":{"x":{"k":[1,2]}}}""");

        DockerClientConfig config = DockerClientConfig.Load(path);
        config.SetAuth("b.test", new RegistryCredentials("u", "p:w"));
        Assert.True(config.RemoveAuth("a.test"));
        config.Save();

        string saved = File.ReadAllText(path);
        Assert.Equal("{\n\t\"psFormat\": \"table {{.ID}}\",\n\t\"auths\": {\n\t\t\"b.test\": {\n\t\t\t\"auth\": \"dTpwOnc=\"\n\t\t}\n\t},\n\t\"plugins\": {\n\t\t\"x\": {\n\t\t\t\"k\": [\n\t\t\t\t1,\n\t\t\t\t2\n\t\t\t]\n\t\t}\n\t}\n}", saved);
        Assert.Equal(new RegistryCredentials("u", "p:w"), DockerClientConfig.Load(path).ReadAuth("https://b.test/"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public void Load_MalformedJson_SaysWhichFileInOneLine()
    {
        using var temp = new TempDirectory();
        string path = temp.Combine("config.json");
        File.WriteAllText(path, "{\"auths\":");

        var error = Assert.Throws<InvalidInputException>(() => DockerClientConfig.Load(path));
        Assert.StartsWith($"{path}: malformed JSON", error.Message);
    }

    [Theory]
    [InlineData("../../tmp/evil")]
    [InlineData("")]
    public void CredentialHelper_NameWithAPath_IsRefused(string name) => Assert.Throws<InvalidInputException>(() => new CredentialHelper(name));
}
