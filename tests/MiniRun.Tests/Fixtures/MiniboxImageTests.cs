using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text.Json;
using MiniRun.Fixtures;
using MiniRun.Tests.Parity;

namespace MiniRun.Tests.Fixtures;

/// <summary>images/minibox/build.sh writes a `docker save` tar whose every name is the sha256 of its content.</summary>
public sealed class MiniboxImageTests
{
    [Fact]
    public void Build_WritesDockerSaveTar_WhoseDigestsMatch()
    {
        using var tmp = new TempDirectory();
        string tar = Build(tmp.Combine("minibox.tar"), "minibox:latest");

        var files = ReadAll(tar);
        using var manifest = JsonDocument.Parse(files["manifest.json"]);
        JsonElement entry = Assert.Single(manifest.RootElement.EnumerateArray().ToList());
        Assert.Equal("minibox:latest", entry.GetProperty("RepoTags")[0].GetString());

        string configName = entry.GetProperty("Config").GetString()!;
        Assert.Equal(configName, Sha256(files[configName]) + ".json");
        using var config = JsonDocument.Parse(files[configName]);
        Assert.Equal(["sh"], config.RootElement.GetProperty("config").GetProperty("Cmd").EnumerateArray().Select(e => e.GetString()));

        string layerName = Assert.Single(entry.GetProperty("Layers").EnumerateArray().ToList()).GetString()!;
        string diffId = Assert.Single(config.RootElement.GetProperty("rootfs").GetProperty("diff_ids").EnumerateArray().ToList()).GetString()!;
        Assert.Equal($"sha256:{Sha256(files[layerName])}", diffId);
    }

    [DockerFact]
    public void Build_LoadsAndRunsInDocker()
    {
        using var tmp = new TempDirectory();
        string name = $"minirun-minibox-{Guid.NewGuid():N}"[..28] + ":test";
        string tar = Build(tmp.Combine("minibox.tar"), name);
        try
        {
            DockerEngine.Docker("load", "-i", tar);
            string output = DockerEngine.Docker("run", "--rm", "--network", "none", name, "sh", "-c", "echo ok; . /etc/os-release; echo $NAME");
            Assert.Equal("ok\nminibox\n", output);
        }
        finally
        {
            DockerEngine.TryDocker("rmi", "-f", name);
        }
    }

    private static string Build(string output, string name)
    {
        string script = Path.Combine(FixturePaths.RepositoryRoot, "images", "minibox", "build.sh");
        ExternalCommand.CheckResult(ExternalCommand.Run("bash", [script, output], TimeSpan.FromMinutes(2),
            new Dictionary<string, string> { ["IMAGE_NAME"] = name }));
        return output;
    }

    private static Dictionary<string, byte[]> ReadAll(string tarPath)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using var reader = new TarReader(File.OpenRead(tarPath));
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.DataStream is null) continue;
            using var buffer = new MemoryStream();
            entry.DataStream.CopyTo(buffer);
            files[entry.Name] = buffer.ToArray();
        }
        return files;
    }

    private static string Sha256(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));
}
