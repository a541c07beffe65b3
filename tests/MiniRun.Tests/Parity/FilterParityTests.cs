using System.Text.RegularExpressions;
using MiniRun.Fixtures;

namespace MiniRun.Tests.Parity;

/// <summary>
/// `ps --filter` against the real Docker engine: the same four containers (created, running, exited 0, exited 3;
/// different names and labels, one image) listed through the same filters by both give the same names and
/// statuses once IDs and times are placeholders.
/// </summary>
public sealed partial class FilterParityTests(FilterParityTests.Containers containers) : IClassFixture<FilterParityTests.Containers>
{
    /// <summary>`ps ARGS` in both engines, each limited to this test's containers by their label (labels AND, so it never widens a filter).</summary>
    private (ExternalCommand.Result Docker, MiniRunCli.Result MiniRun) Ps(Func<Engine, string[]> args)
    {
        MiniRunCli cli = containers.Cli; // makes the containers first
        string[] own = ["--filter", $"label=minirun-filter={containers.Tag}"];
        return (ExternalCommand.Run("docker", ["ps", .. own, .. args(Engine.Docker)], TimeSpan.FromMinutes(1)),
            cli.Run(["ps", .. own, .. args(Engine.MiniRun)]));
    }

    private string Normalize(string text)
    {
        text = text.Replace(containers.DockerPrefix, "");
        text = Id().Replace(text, "<id>");
        return Time().Replace(text, "<time>");
    }

    /// <summary>Same exit status and, once normalised, the same lines; the lines must not be empty unless <paramref name="empty"/>.</summary>
    private void AssertSame(Func<Engine, string[]> args, bool empty = false)
    {
        var (docker, minirun) = Ps(args);
        Assert.True(docker.ExitCode == 0, docker.ToString());
        Assert.True(minirun.ExitCode == 0, minirun.ToString());
        Assert.Equal(Normalize(docker.Stdout), Normalize(minirun.Stdout));
        Assert.Equal(empty, docker.Stdout.Length == 0);
    }

    private void AssertSameNames(params string[] args) => AssertSame(_ => ["-a", "--format", "{{.Names}} {{.Status}}", .. args]);

    [DockerFact]
    public void PsFilter_Status_SameContainersAsDocker()
    {
        AssertSameNames("--filter", "status=exited");
        AssertSameNames("--filter", "status=created");
        AssertSameNames("--filter", "status=running");
        AssertSameNames("--filter", "status=exited", "--filter", "status=created"); // one key twice: either
        AssertSame(_ => ["-a", "--format", "{{.Names}}", "--filter", "status=paused"], empty: true);
        AssertSame(_ => ["--format", "{{.Names}} {{.Status}}", "--filter", "status=exited"]); // status= shows stopped ones without -a
    }

    [DockerFact]
    public void PsFilter_Exited_SameContainersAsDocker()
    {
        AssertSameNames("--filter", "exited=3");
        AssertSameNames("--filter", "exited=0");
        AssertSameNames("--filter", "exited=0", "--filter", "exited=3");
        AssertSame(_ => ["--format", "{{.Names}}", "--filter", "exited=0"], empty: true); // exited= alone does not show stopped ones
        AssertSameNames("--filter", "exited=0", "--filter", "status=exited", "--filter", "label=k=v"); // different keys: all of them
    }

    [DockerFact]
    public void PsFilter_LabelNameAndId_SameContainersAsDocker()
    {
        AssertSameNames("--filter", "label=k");
        AssertSameNames("--filter", "label=k=v");
        AssertSameNames("--filter", "label=k=v", "--filter", "label=role"); // labels: all of them
        AssertSameNames("--filter", "name=hre");
        AssertSameNames("--filter", "name=e$", "--filter", "name=up"); // regular expressions, either
        AssertSame(_ => ["-a", "--format", "{{.Names}}", "--filter", "name=["], empty: true); // no regular expression: matches nothing
        AssertSameNames("--filter", " Name = zero ");
        AssertSame(e => ["-a", "--format", "{{.Names}}", "--filter", "id=" + containers.Id(e, "made")[..7]]);
        AssertSame(e => ["-a", "--format", "{{.Names}}", "--filter", "id=" + containers.Id(e, "made")]);
    }

    [DockerFact]
    public void PsFilter_Ancestor_SameContainersAsDocker()
    {
        AssertSameNames("--filter", "ancestor=" + containers.Image);
        AssertSame(_ => ["-a", "--format", "{{.Names}}", "--filter", "ancestor=" + containers.Image.Split(':')[0]], empty: true); // REPO is REPO:latest
        AssertSameNames("--filter", "ancestor=" + containers.ImageId[..12]);
        AssertSameNames("--filter", "ancestor=nope-" + containers.Tag, "--filter", "ancestor=" + containers.Image);
        AssertSame(_ => ["-a", "--filter", "ancestor=nope-" + containers.Tag], empty: false); // the header alone
    }

    [DockerFact]
    public void PsFilter_BeforeSinceAndLast_SameContainersAsDocker()
    {
        AssertSame(e => ["-a", "--format", "{{.Names}}", "--filter", "before=" + containers.Name(e, "zero")]);
        AssertSame(e => ["-a", "--format", "{{.Names}}", "--filter", "since=" + containers.Name(e, "made")]);
        AssertSame(e => ["--format", "{{.Names}}", "--filter", "since=" + containers.Name(e, "made")]); // no -a: running ones only
        AssertSame(e => ["-a", "--format", "{{.Names}}", "--filter", "before=" + containers.Id(e, "up")]);
        AssertSame(_ => ["-n", "1", "--format", "{{.Names}}", "--filter", "status=exited"]);
    }

    [DockerFact]
    public void PsFilter_QuietAndTable_SameAsDocker()
    {
        AssertSame(_ => ["-a", "-q", "--filter", "status=exited"]);
        AssertSame(_ => ["-a", "-f", "status=exited", "--format", @"table {{.Labels}}\t{{.State}}\t{{.Names}}"]);
    }

    [DockerFact]
    public void PsFilter_UnknownKeyOrValue_SameStatusAsDocker()
    {
        foreach (string filter in new[] { "xyz=1", "status=sleeping", "exited=x", "before=nope" })
        {
            var (docker, minirun) = Ps(_ => ["-a", "--filter", filter]);
            Assert.Equal(1, docker.ExitCode);
            Assert.True(minirun.ExitCode == 1, minirun.ToString());
            Assert.Equal("", minirun.Stdout);
            Assert.StartsWith("minirun: ", minirun.Stderr);
            Assert.Single(minirun.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
        var (d, m) = Ps(_ => ["--filter", "xyz=1"]);
        Assert.Contains("invalid filter 'xyz'", d.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("minirun: invalid filter 'xyz'\n", m.Stderr);
        (d, m) = Ps(_ => ["--filter", "status=sleeping"]);
        Assert.Contains("invalid filter 'status=sleeping'", d.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("minirun: invalid filter 'status=sleeping'\n", m.Stderr);
        (d, m) = Ps(_ => ["--filter", "xyz"]); // no '=': the command line is wrong
        Assert.Equal(125, d.ExitCode);
        Assert.Equal(125, m.ExitCode);
        Assert.Contains("bad format of filter (expected name=value)", m.Stderr);
    }

    [GeneratedRegex(@"\b[0-9a-f]{12}([0-9a-f]{52})?\b")]
    private static partial Regex Id();

    [GeneratedRegex(@"(Less than a second|About a minute|About an hour|\d+ \w+)( ago)?")]
    private static partial Regex Time();

    public enum Engine { Docker, MiniRun }

    /// <summary>
    /// The minibox image loaded into Docker and into a store of minirun's, and in each, oldest first: `made`
    /// (created, k=v), `three` (exited 3, k=w), `up` (running, role=web), `zero` (exited 0, k=v, role=db).
    /// Made when a test first asks, removed at the end.
    /// </summary>
    public sealed class Containers : IDisposable
    {
        private static readonly string[] Names = ["made", "three", "up", "zero"];
        private readonly Lazy<TempDirectory> _store = new(() => new TempDirectory("minirun-filter-parity"));
        private readonly Lazy<bool> _made;
        private readonly Dictionary<(Engine, string), string> _ids = [];

        public Containers() => _made = new(Make);

        public string Tag { get; } = Guid.NewGuid().ToString("N")[..12];

        public string Image => $"minirun-filter-parity-{Tag}:test";

        public string ImageId { get; private set; } = "";

        /// <summary>Docker's names are the daemon's, shared with everyone: each gets this prefix there.</summary>
        public string DockerPrefix => $"flt{Tag}-";

        public string Name(Engine engine, string name) => engine == Engine.Docker ? DockerPrefix + name : name;

        public string Id(Engine engine, string name) => _ids[(engine, name)];

        public MiniRunCli Cli => _made.Value ? StoreCli : throw new InvalidOperationException("the containers could not be made");

        private MiniRunCli StoreCli => new(_store.Value.Combine("store"));

        private bool Make()
        {
            string tar = _store.Value.Combine("minibox.tar");
            ParityImage.LoadMiniboxIntoBoth(Image, tar, StoreCli);
            ImageId = DockerEngine.Docker("image", "inspect", "--format", "{{.Id}}", Image).Trim()["sha256:".Length..];
            string[] own = ["--label", $"minirun-filter={Tag}", "--network", "none"];
            Both(["create", "--name", "made", .. own, "--label", "k=v", Image, "true"]);
            Both(["run", "--name", "three", .. own, "--label", "k=w", Image, "sh", "-c", "exit 3"], exitCode: 3);
            Both(["run", "-d", "--name", "up", .. own, "--label", "role=web", Image, "sleep", "300"]);
            Both(["run", "--name", "zero", .. own, "--label", "k=v", "--label", "role=db", Image, "true"]);
            foreach (string name in Names)
            {
                _ids[(Engine.Docker, name)] = DockerEngine.Docker("inspect", "--format", "{{.Id}}", DockerPrefix + name).Trim();
                _ids[(Engine.MiniRun, name)] = StoreCli.RunOk("inspect", "--format", "{{.Id}}", name).Stdout.Trim();
            }
            return true;
        }

        /// <summary>The same command in both engines (Docker's --name prefixed), each expected to end with <paramref name="exitCode"/>.</summary>
        private void Both(string[] args, int exitCode = 0)
        {
            string[] docker = args.Select((a, i) => i > 0 && args[i - 1] == "--name" ? DockerPrefix + a : a).ToArray();
            var result = ExternalCommand.Run("docker", docker, TimeSpan.FromMinutes(1));
            Assert.True(result.ExitCode == exitCode, result.ToString());
            var minirun = StoreCli.Run(args);
            Assert.True(minirun.ExitCode == exitCode, minirun.ToString());
            Thread.Sleep(20); // creation times apart, so both order them the same
        }

        public void Dispose()
        {
            if (!_store.IsValueCreated) return;
            DockerEngine.TryDocker(["rm", "-f", .. Names.Select(n => DockerPrefix + n)]);
            DockerEngine.TryDocker("rmi", "-f", Image);
            StoreCli.Run(["rm", "-f", .. Names]);
            _store.Value.Dispose();
        }
    }
}
