using System.Text.Json;
using System.Text.RegularExpressions;
using MiniRun.Fixtures;

namespace MiniRun.Tests.Parity;

/// <summary>
/// `ps --format` and `inspect --format` against the real Docker engine: the same two containers (one running, one
/// created, same names, labels and image) formatted by both give the same text once IDs and times are placeholders.
/// </summary>
public sealed partial class FormatParityTests(FormatParityTests.Containers containers) : IClassFixture<FormatParityTests.Containers>
{
    /// <summary>`docker ps ARGS` limited to this test's containers, and `minirun ps ARGS` (its store holds only them).</summary>
    private (ExternalCommand.Result Docker, MiniRunCli.Result MiniRun) Ps(params string[] args)
    {
        MiniRunCli cli = containers.Cli; // makes the containers first
        return (ExternalCommand.Run("docker", ["ps", "--filter", $"label=minirun-format={containers.Tag}", .. args], TimeSpan.FromMinutes(1)),
            cli.Run(["ps", .. args]));
    }

    private (ExternalCommand.Result Docker, MiniRunCli.Result MiniRun) Inspect(string format, params string[] names) =>
        (ExternalCommand.Run("docker", ["inspect", "--format", format, .. names.Select(containers.DockerName)], TimeSpan.FromMinutes(1)),
         containers.Cli.Run(["inspect", "--format", format, .. names.Select(containers.MiniRunName)]));

    /// <summary>IDs, times and the per-run tag as placeholders; the Docker names made the same as minirun's.</summary>
    private string Normalize(string text)
    {
        text = text.Replace(containers.DockerPrefix, "").Replace(containers.Tag, "<tag>");
        text = LongId().Replace(text, "<id>");
        text = ShortId().Replace(text, "<id>");
        text = UpTime().Replace(text, "Up <time>");
        text = Ago().Replace(text, "<ago>");
        return CreatedAt().Replace(text, "<created>");
    }

    /// <summary>Docker's error lines as minirun prints them: each one after "minirun: ".</summary>
    private static string Prefixed(string stderr) => string.Concat(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => "minirun: " + l + "\n"));

    private static void AssertOk(ExternalCommand.Result docker, MiniRunCli.Result minirun)
    {
        Assert.True(docker.ExitCode == 0, docker.ToString());
        Assert.True(minirun.ExitCode == 0, minirun.ToString());
    }

    private void AssertSameOutput(params string[] args)
    {
        var (docker, minirun) = Ps(args);
        AssertOk(docker, minirun);
        Assert.Equal(Normalize(docker.Stdout), Normalize(minirun.Stdout));
    }

    [DockerFact]
    public void PsFormat_FieldsTyped_SameLinesAsDocker()
    {
        AssertSameOutput("-a", "--format", "{{.ID}} {{.Names}} {{.Status}} {{.Image}}");
        AssertSameOutput("-a", "--format", "{{.Names}}|{{.Command}}|{{.State}}|{{.Labels}}|{{.Networks}}|{{.Mounts}}|{{.Ports}}|{{.LocalVolumes}}");
        AssertSameOutput("-a", "--format", "{{.Names}} {{.CreatedAt}} {{.RunningFor}} {{json .Names}} {{index .Names}} {{upper .State}}");
        AssertSameOutput("--format", "{{.Names}}"); // running ones only
    }

    [DockerFact]
    public void PsFormat_Table_SameHeaderAndColumnsAsDocker()
    {
        // NAMES last: Docker's names carry a prefix (its names are the daemon's), so their width differs.
        AssertSameOutput("-a", "--format", @"table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.State}}\t{{.Labels}}\t{{.Ports}}\t{{.Networks}}\t{{.Names}}");
        AssertSameOutput("-a", "--format", @"table x{{.State}}\ty{{.Names}}");
    }

    [DockerFact]
    public void PsFormat_Json_SameObjectsAsDocker() => AssertSameOutput("-a", "--format", "json");

    [DockerFact]
    public void Ps_QuietLastAndNoTrunc_SameAsDocker()
    {
        AssertSameOutput("-a", "-q");
        AssertSameOutput("-l", "--format", "{{.Names}}");
        AssertSameOutput("-n", "2", "--format", "{{.Names}}");
        AssertSameOutput("-a", "--no-trunc", "--format", "{{.ID}} {{.Command}}");
        AssertSameOutput("-a", "-q", "--no-trunc");
    }

    [DockerFact]
    public void PsFormat_UnknownField_SameErrorAndStatusAsDocker()
    {
        foreach (string format in new[] { "{{.Nope}}", "{{.Names}} {{.Nope", "{{nope .Names}}" })
        {
            var (docker, minirun) = Ps("-a", "--format", format);
            Assert.Equal(docker.ExitCode, minirun.ExitCode);
            Assert.Equal(docker.Stdout, minirun.Stdout);
            Assert.Equal(Prefixed(docker.Stderr), minirun.Stderr);
        }
    }

    [DockerFact]
    public void InspectFormat_Fields_SameTextAsDocker()
    {
        const string Format = "{{.Name}} {{.Config.Image}} {{.State.Status}} {{.State.Running}} {{.State.ExitCode}} {{json .Config.Cmd}} " +
            "{{json .Config.Labels}} {{.Config.Labels}} {{index .Config.Labels \"a\"}} {{range .Config.Cmd}}[{{.}}]{{end}} " +
            "{{.Config.Image | json}} {{if .State.Running}}up{{else}}down{{end}} {{len .Config.Cmd}}";
        var (docker, minirun) = Inspect(Format, "up", "new");
        AssertOk(docker, minirun);
        Assert.Equal(Normalize(docker.Stdout), Normalize(minirun.Stdout));

        // Apart: Docker's typed document has ID, not Id, so {{.Id}} makes Docker run the whole template on the raw
        // JSON, where index of a missing key prints <no value> instead of "".
        (docker, minirun) = Inspect("{{.Id}} {{.Image}}", "up", "new");
        AssertOk(docker, minirun);
        Assert.Equal(Normalize(docker.Stdout), Normalize(minirun.Stdout));

        (docker, minirun) = Inspect("{{.State.Pid}}", "up", "new");
        AssertOk(docker, minirun);
        Assert.Matches("^[1-9][0-9]*\n0\n$", docker.Stdout);
        Assert.Matches("^[1-9][0-9]*\n0\n$", minirun.Stdout);
    }

    [DockerFact]
    public void InspectFormat_JsonConfig_SameImageAndCommandAsDocker()
    {
        var (docker, minirun) = Inspect("{{json .Config}}", "up");
        AssertOk(docker, minirun);
        using JsonDocument dockerConfig = JsonDocument.Parse(docker.Stdout), minirunConfig = JsonDocument.Parse(minirun.Stdout);
        foreach (string field in new[] { "Image", "Cmd", "Labels" })
            Assert.Equal(dockerConfig.RootElement.GetProperty(field).GetRawText(), minirunConfig.RootElement.GetProperty(field).GetRawText());
    }

    [DockerFact]
    public void InspectFormat_UnknownFieldOrBadTemplate_SameErrorAndStatusAsDocker()
    {
        foreach (string format in new[] { "{{.Nope}}", "{{.State.Nope}}", "{{.Nope", "{{nope .Id}}" })
        {
            var (docker, minirun) = Inspect(format, "up", "new");
            Assert.Equal(docker.ExitCode, minirun.ExitCode);
            Assert.Equal(docker.Stdout, minirun.Stdout);
            Assert.Equal(Prefixed(docker.Stderr), minirun.Stderr);
        }
    }

    [GeneratedRegex("[0-9a-f]{64}")]
    private static partial Regex LongId();

    [GeneratedRegex(@"\b[0-9a-f]{12}\b")]
    private static partial Regex ShortId();

    [GeneratedRegex(@"Up (Less than a second|About a minute|About an hour|\d+ \w+)")]
    private static partial Regex UpTime();

    [GeneratedRegex(@"(Less than a second|About a minute|About an hour|\d+ \w+) ago")]
    private static partial Regex Ago();

    [GeneratedRegex(@"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4} \w+")]
    private static partial Regex CreatedAt();

    /// <summary>
    /// The minibox image loaded into Docker and into a store of minirun's, and in each a running container (`up`,
    /// labelled) and a newer created one (`new`); made when a test first asks, removed at the end.
    /// </summary>
    public sealed class Containers : IDisposable
    {
        private readonly Lazy<TempDirectory> _store = new(() => new TempDirectory("minirun-format-parity"));
        private readonly Lazy<bool> _made;

        public Containers() => _made = new(Make);

        public string Tag { get; } = Guid.NewGuid().ToString("N")[..12];

        private string Image => $"minirun-format-parity-{Tag}:test";

        /// <summary>Docker's names are the daemon's, shared with everyone: each gets this prefix there.</summary>
        public string DockerPrefix => $"fmt{Tag}-";

        public string DockerName(string name) => _made.Value ? DockerPrefix + name : "";

        public string MiniRunName(string name) => _made.Value ? name : "";

        /// <summary>minirun on the store, once both engines hold the containers (made on first use).</summary>
        public MiniRunCli Cli => _made.Value ? StoreCli : throw new InvalidOperationException("the containers could not be made");

        private MiniRunCli StoreCli => new(_store.Value.Combine("store"));

        private bool Make()
        {
            string tar = _store.Value.Combine("minibox.tar");
            ParityImage.LoadMiniboxIntoBoth(Image, tar, StoreCli);
            string[] labels = ["--label", $"minirun-format={Tag}", "--label", "c=d", "--label", "a=b"];
            DockerEngine.Docker(["run", "-d", "--name", DockerPrefix + "up", .. labels, "--network", "none", Image, "sleep", "300"]);
            StoreCli.RunOk(["run", "-d", "--name", "up", .. labels, "--network", "none", Image, "sleep", "300"]);
            Thread.Sleep(1100); // `new` is the latest by its creation time under both engines
            DockerEngine.Docker("create", "--name", DockerPrefix + "new", "--label", $"minirun-format={Tag}", "--network", "none", Image, "sh", "-c", "echo a long command line here");
            StoreCli.RunOk("create", "--name", "new", "--label", $"minirun-format={Tag}", "--network", "none", Image, "sh", "-c", "echo a long command line here");
            return true;
        }

        public void Dispose()
        {
            if (!_store.IsValueCreated) return;
            DockerEngine.TryDocker("rm", "-f", DockerPrefix + "up", DockerPrefix + "new");
            DockerEngine.TryDocker("rmi", "-f", Image);
            StoreCli.Run("rm", "-f", "up", "new");
            _store.Value.Dispose();
        }
    }
}
