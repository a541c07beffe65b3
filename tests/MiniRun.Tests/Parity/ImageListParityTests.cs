using System.Text.RegularExpressions;
using MiniRun.Fixtures;

namespace MiniRun.Tests.Parity;

/// <summary>
/// `images` (--format, --filter, --digests, --no-trunc, -q) and `history` against the real Docker engine: the same
/// image under two names, and an untagged image committed on top of it, listed by both engines.
/// </summary>
public sealed partial class ImageListParityTests(ImageListParityTests.Images images) : IClassFixture<ImageListParityTests.Images>
{
    private (ExternalCommand.Result Docker, MiniRunCli.Result MiniRun) Run(params string[] args)
    {
        MiniRunCli cli = images.Cli; // makes the images first
        return (ExternalCommand.Run("docker", args, TimeSpan.FromMinutes(1)), cli.Run(args));
    }

    /// <summary>The committed image's ID (which differs: it holds its creation time) as "&lt;child&gt;"; times as placeholders.</summary>
    private static string Normalize(string text, string childId) =>
        Ago().Replace(text.Replace("sha256:" + childId, "<child>").Replace(childId[..12], "<child>"), "<ago>");

    /// <summary>Docker lists one image's names in no fixed order: the rows are compared sorted, a table's header first.</summary>
    private static string Sorted(string text, bool table)
    {
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        IEnumerable<string> body = lines.Skip(table ? 1 : 0).Order(StringComparer.Ordinal);
        return string.Join('\n', table ? body.Prepend(lines[0]) : body);
    }

    private void AssertSame(params string[] args)
    {
        var (docker, minirun) = Run(args);
        Assert.True(docker.ExitCode == 0, docker.ToString());
        Assert.True(minirun.ExitCode == 0, minirun.ToString());
        bool table = !args.Contains("--format") || args.Any(a => a.StartsWith("table", StringComparison.Ordinal));
        Assert.NotEqual("", docker.Stdout);
        Assert.Equal(Sorted(Normalize(docker.Stdout, images.DockerChild), table), Sorted(Normalize(minirun.Stdout, images.MiniRunChild), table));
    }

    /// <summary>Only the rows of this test's images (Docker's host holds others, minibox with the same ID among them), child ID normalised.</summary>
    private void AssertSameOwnRows(params string[] args)
    {
        var (docker, minirun) = Run(args);
        Assert.True(docker.ExitCode == 0, docker.ToString());
        Assert.True(minirun.ExitCode == 0, minirun.ToString());
        // One image's names come in no fixed order: sorted once the child's ID is normalised (the two engines' child IDs
        // differ, and sorted before, each one's row fell on its own side of the others').
        string Own(string text, string child) => string.Join('\n', Normalize(text, child).Split('\n')
            .Where(l => l.Contains("<child>", StringComparison.Ordinal) || l.Contains(images.Repository, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal));
        string expected = Own(docker.Stdout, images.DockerChild), actual = Own(minirun.Stdout, images.MiniRunChild);
        // On a difference, Docker's whole view.
        Assert.True(expected == actual, $"minirun {string.Join(' ', args)}:\n{actual}\ndocker (child {images.DockerChild[..12]}):\n{expected}\n" +
            $"docker's full output:\n{docker.Stdout}\ndocker images -a:\n{DockerEngine.Status("images", "-a", "--no-trunc").Stdout}");
    }

    private string Repositories => $"reference={images.Repository}*";

    [DockerFact]
    public void ImagesFormat_Fields_SameRowsAsDocker()
    {
        AssertSame("images", "--filter", Repositories, "--format", "{{.ID}} {{.Repository}} {{.Tag}} {{.Digest}} {{.CreatedSince}} {{.CreatedAt}} {{.Size}}");
        AssertSame("images", "--filter", Repositories, "--format", "json");
        AssertSame("images", "--filter", Repositories, "--format", "{{json .}} {{json .Tag}}");
        AssertSame("images", "--filter", Repositories, "--format", @"table {{.Repository}}\t{{.Tag}}\t{{.VirtualSize}}");
    }

    [DockerFact]
    public void Images_TableDigestsNoTruncQuiet_SameAsDocker()
    {
        AssertSame("images", "--filter", Repositories);
        AssertSame("images", "--filter", Repositories, "--digests");
        AssertSame("images", "--filter", Repositories, "--no-trunc");
        AssertSame("images", "--filter", Repositories, "-q");
        AssertSame("images", "--filter", Repositories, "-q", "--no-trunc");
        AssertSame("images", "-a", "--filter", Repositories);
        AssertSame("images", images.Repository); // REPOSITORY: every tag of it
        AssertSame("images", images.Repository + "-two:v1");
        AssertSame("images", "--filter", $"reference={images.Repository}*:v1", "--filter", $"reference={images.Repository}:test");
    }

    [DockerFact]
    public void ImagesFilter_DanglingBeforeSince_SameImagesAsDocker()
    {
        AssertSameOwnRows("images", "--filter", "dangling=true", "--format", "{{.ID}} {{.Repository}}:{{.Tag}}");
        AssertSameOwnRows("images", "--filter", "dangling=false", "--format", "{{.ID}} {{.Repository}}:{{.Tag}}");
        AssertSameOwnRows("images", "--format", "{{.ID}} {{.Repository}}:{{.Tag}}");
        AssertSameOwnRows("images", "--filter", "since=" + images.Image, "--format", "{{.ID}} {{.Repository}}:{{.Tag}}");
        AssertSameOwnRows("images", "--filter", "before=" + images.Image, "--format", "{{.ID}} {{.Repository}}");
        AssertSameOwnRows("images", "--filter", "label=nope", "--format", "{{.ID}} {{.Repository}}");
    }

    [DockerFact]
    public void ImagesFilter_BadFilter_SameStatusAsDocker()
    {
        foreach (string filter in new[] { "xyz=1", "dangling=maybe", "reference=[", "before=nope-" + images.Tag })
        {
            var (docker, minirun) = Run("images", "--filter", filter);
            Assert.True(docker.ExitCode == 1, docker.ToString());
            Assert.True(minirun.ExitCode == 1, minirun.ToString());
            Assert.Equal("", minirun.Stdout);
            Assert.StartsWith("minirun: ", minirun.Stderr);
        }
        var (_, m) = Run("images", "--filter", "dangling=maybe");
        Assert.Equal("minirun: invalid filter 'dangling=maybe'\n", m.Stderr);
        (_, m) = Run("images", "--filter", "reference=[");
        Assert.Equal("minirun: syntax error in pattern\n", m.Stderr);
    }

    [DockerFact]
    public void History_NoTruncQuietFormat_SameAsDocker()
    {
        AssertSame("history", images.Image);
        AssertSame("history", "--no-trunc", images.Image);
        AssertSame("history", "-q", images.Image);
        AssertSame("history", "-q", "--no-trunc", images.Image);
        AssertSame("history", "--format", "json", images.Image);
        AssertSame("history", "--format", @"table {{.ID}}\t{{.CreatedAt}}\t{{.CreatedBy}}", "--no-trunc", images.Image);
        AssertSame("history", "--format", "{{.ID}}|{{.CreatedSince}}|{{.CreatedBy}}|{{.Size}}|{{.Comment}}", images.Image);
    }

    [GeneratedRegex(@"(Less than a second|About a minute|About an hour|\d+ \w+) ago")]
    private static partial Regex Ago();

    /// <summary>
    /// The minibox image loaded into Docker and into a store of minirun's under REPOSITORY:test and
    /// REPOSITORY-two:v1, and an untagged image committed from a container of it; removed at the end.
    /// </summary>
    public sealed class Images : IDisposable
    {
        private readonly Lazy<TempDirectory> _store = new(() => new TempDirectory("minirun-images-parity"));
        private readonly Lazy<bool> _made;

        public Images() => _made = new(Make);

        public string Tag { get; } = Guid.NewGuid().ToString("N")[..12];

        public string Repository => $"minirun-images-parity-{Tag}";

        public string Image => Repository + ":test";

        /// <summary>The loaded image's ID, the same in both engines (it is the digest of the same config).</summary>
        public string ImageId { get; private set; } = "";

        /// <summary>The committed images' IDs (64 hex digits), one per engine.</summary>
        public string DockerChild { get; private set; } = "";
        public string MiniRunChild { get; private set; } = "";

        public MiniRunCli Cli => _made.Value ? StoreCli : throw new InvalidOperationException("the images could not be made");

        private MiniRunCli StoreCli => new(_store.Value.Combine("store"));

        private string DockerContainer => $"img{Tag}";

        private bool Make()
        {
            string tar = _store.Value.Combine("minibox.tar");
            ParityImage.LoadMiniboxIntoBoth(Image, tar, StoreCli);
            ImageId = DockerEngine.Docker("image", "inspect", "--format", "{{.Id}}", Image).Trim()["sha256:".Length..];
            DockerEngine.Docker("tag", Image, Repository + "-two:v1");
            StoreCli.RunOk("tag", Image, Repository + "-two:v1");
            DockerEngine.Docker("create", "--name", DockerContainer, "--network", "none", Image, "true");
            StoreCli.RunOk("create", "--name", "child", "--network", "none", Image, "true");
            DockerChild = DockerEngine.Docker("commit", DockerContainer).Trim()["sha256:".Length..];
            StoreCli.RunOk("commit", "child");
            MiniRunChild = StoreCli.RunOk("images", "--no-trunc", "-q", "--filter", "dangling=true").Stdout.Trim()["sha256:".Length..];
            return true;
        }

        public void Dispose()
        {
            if (!_store.IsValueCreated) return;
            DockerEngine.TryDocker("rm", "-f", DockerContainer);
            if (DockerChild.Length > 0) DockerEngine.TryDocker("rmi", "-f", DockerChild);
            DockerEngine.TryDocker("rmi", "-f", Image, Repository + "-two:v1");
            StoreCli.Run("rm", "-f", "child");
            _store.Value.Dispose();
        }
    }
}
