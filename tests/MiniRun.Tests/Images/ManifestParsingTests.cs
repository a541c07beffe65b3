using System.Text;
using MiniRun.Images;

namespace MiniRun.Tests.Images;

public sealed class ManifestParsingTests
{
    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void ParseDockerManifest_DockerSave24_ReadsConfigTagsAndLayers()
    {
        const string json = """[{"Config":"abc.json","RepoTags":["alpine:latest"],"Layers":["1/layer.tar","2/layer.tar"]}]""";
        DockerManifestEntry entry = Assert.Single(ImageJson.ParseDockerManifest(Utf8(json), "manifest.json"));
        Assert.Equal("abc.json", entry.Config);
        Assert.Equal(["alpine:latest"], entry.RepoTags!);
        Assert.Equal(["1/layer.tar", "2/layer.tar"], entry.Layers!);
    }

    [Fact]
    public void ParseDockerManifest_NullRepoTags_IsNoNames()
    {
        const string json = """[{"Config":"blobs/sha256/aa","RepoTags":null,"Layers":[],"LayerSources":{}}]""";
        Assert.Null(Assert.Single(ImageJson.ParseDockerManifest(Utf8(json), "manifest.json")).RepoTags);
    }

    [Fact]
    public void ParseIndex_NestedIndexWithPlatforms_ReadsPlatformsAndAnnotations()
    {
        const string json = """
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
              {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:00","size":10,
               "platform":{"architecture":"arm64","os":"linux","variant":"v8"},
               "annotations":{"io.containerd.image.name":"docker.io/library/alpine:3","org.opencontainers.image.ref.name":"3"}}]}
            """;
        OciIndex index = ImageJson.ParseIndex(Utf8(json), "index.json");
        OciDescriptor entry = Assert.Single(index.Manifests!);
        Assert.Equal("linux/arm64/v8", entry.Platform!.ToString());
        Assert.Equal("3", entry.Annotations!["org.opencontainers.image.ref.name"]);
    }

    [Fact]
    public void ParseManifest_ReadsConfigAndLayers()
    {
        const string json = """
            {"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:c","size":5},
             "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+zstd","digest":"sha256:l","size":7}]}
            """;
        OciManifest manifest = ImageJson.ParseManifest(Utf8(json), "m");
        Assert.Equal("sha256:c", manifest.Config!.Digest);
        Assert.Equal(7, Assert.Single(manifest.Layers!).Size);
    }

    [Fact]
    public void ParseConfig_KeepsUnknownFieldsAndContainerConfig()
    {
        const string json = """
            {"architecture":"amd64","os":"linux","config":{"Env":["A=1"],"Cmd":["sh"],"WorkingDir":"/w","User":"1:2","Odd":1},
             "rootfs":{"type":"layers","diff_ids":["sha256:x"]},"moby.buildkit":true}
            """;
        ImageConfig config = ImageJson.ParseConfig(Utf8(json), "config");
        Assert.Equal(["A=1"], config.Config!.Env!);
        Assert.Equal("/w", config.Config.WorkingDir);
        Assert.Single(config.RootFs.DiffIds);
        Assert.True(config.Extra!.ContainsKey("moby.buildkit"));
    }

    [Theory]
    [InlineData("{")]
    [InlineData("[1,2]")]
    [InlineData("null")]
    [InlineData("{\"schemaVersion\":\"two\"}")]
    public void ParseManifest_Malformed_ThrowsNamingTheFile(string json)
    {
        var e = Assert.Throws<InvalidInputException>(() => ImageJson.ParseManifest(Utf8(json), "archive \"x.tar\": blobs/sha256/ab"));
        Assert.Contains("blobs/sha256/ab", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void ReadBounded_LargerThanLimit_IsRefused()
    {
        using var big = new MemoryStream(new byte[ImageJson.MaxJsonBytes + 1]);
        var e = Assert.Throws<InvalidInputException>(() => ImageJson.ReadBounded(big, "manifest.json"));
        Assert.Contains("manifest.json", e.Message);
    }

    [Theory]
    [InlineData("latest", false)]
    [InlineData("v1.0", false)]
    [InlineData("alpine", false)]
    [InlineData("alpine:3.20", true)]
    [InlineData("docker.io/library/alpine:latest", true)]
    [InlineData("localhost:5000/app", false)]
    [InlineData("localhost:5000/app:1", true)]
    public void IsFullReference_TellsNamesFromBareTags(string refName, bool expected) =>
        Assert.Equal(expected, OciLayout.IsFullReference(refName));

    [Fact]
    public void ParseNames_ReadsTheMapAndRefusesANonString()
    {
        SortedDictionary<string, string> names = ImageJson.ParseNames(Utf8("""{"docker.io/library/b:latest":"sha256:2","docker.io/library/a:latest":"sha256:1"}"""), "repositories.json");
        Assert.Equal(["docker.io/library/a:latest", "docker.io/library/b:latest"], names.Keys);
        var e = Assert.Throws<InvalidInputException>(() => ImageJson.ParseNames(Utf8("""{"a":1}"""), "repositories.json"));
        Assert.Contains("repositories.json: malformed JSON", e.Message);
    }

    [Fact]
    public void ParseMetadata_ReadsSizeAddedAndDigests()
    {
        ImageMetadata metadata = ImageJson.ParseMetadata(Utf8("""{"size":42,"added":"2026-11-25T10:00:00+00:00","repoDigests":["r@sha256:1"],"later":true}"""), "image.json");
        Assert.Equal(42, metadata.Size);
        Assert.Equal(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero), metadata.Added);
        Assert.Equal(["r@sha256:1"], metadata.RepoDigests);
        Assert.Throws<InvalidInputException>(() => ImageJson.ParseMetadata(Utf8("""{"size":"big"}"""), "image.json"));
    }
}
