using System.Text.Json;
using System.Text.RegularExpressions;
using MiniRun.Fixtures;
using MiniRun.Tests.Containers;

namespace MiniRun.Tests.Runtime;

/// <summary>
/// `run` goes image → config.json → the runtime core: each start writes the container's OCI spec into its directory (a
/// bundle whose root.path is the merged overlay), `inspect --spec` shows it, --dry-run prints it and --explain says
/// where each of its fields came from.
/// </summary>
public class RunBundleTests(RunImageFixture fixture) : IClassFixture<RunImageFixture>
{
    private MiniRunCli Cli => fixture.Cli;

    [RootFact]
    public void Run_WritesTheSpecItRan_AndInspectSpecShowsIt()
    {
        string name = "bundle-" + Guid.NewGuid().ToString("N")[..8];
        MiniRunCli.Result run = Cli.Run("run", "--name", name, "--hostname", "box", "-e", "X=1", "-w", "/tmp", "--pids-limit", "30", "--network", "none",
            fixture.Image, "sh", "-c", "echo $X $(hostname) $(pwd); cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max");
        try
        {
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Equal("1 box /tmp\n30\n", run.Stdout);
            MiniRunCli.Result inspected = Cli.Run("inspect", "--spec", name);
            Assert.True(inspected.ExitCode == 0, inspected.ToString());
            JsonElement spec = JsonDocument.Parse(inspected.Stdout).RootElement;
            JsonElement process = spec.GetProperty("process");
            Assert.Equal(["sh", "-c"], process.GetProperty("args").EnumerateArray().Take(2).Select(a => a.GetString()));
            Assert.Contains("X=1", process.GetProperty("env").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal("/tmp", process.GetProperty("cwd").GetString());
            Assert.Equal("box", spec.GetProperty("hostname").GetString());
            Assert.Equal(30, spec.GetProperty("linux").GetProperty("resources").GetProperty("pids").GetProperty("limit").GetInt32());
            Assert.Contains("network", spec.GetProperty("linux").GetProperty("namespaces").EnumerateArray().Select(n => n.GetProperty("type").GetString()));
            Assert.Equal("SCMP_ACT_ERRNO", spec.GetProperty("linux").GetProperty("seccomp").GetProperty("defaultAction").GetString());
            string merged = JsonDocument.Parse(Cli.Run("inspect", name).Stdout).RootElement[0].GetProperty("GraphDriver").GetProperty("Data")
                .GetProperty("MergedDir").GetString()!;
            Assert.Equal(merged, spec.GetProperty("root").GetProperty("path").GetString());
            Assert.Equal(inspected.Stdout, File.ReadAllText(Path.Combine(Path.GetDirectoryName(merged)!, "config.json")));
        }
        finally
        {
            Cli.Run("rm", "-f", name);
        }
    }

    /// <summary>The seccomp section comes from the cache from the second start on: the same text as when it was generated.</summary>
    [RootFact]
    public void Run_SecondStart_WritesTheSameSpecFromTheCache()
    {
        string first = "cache-a-" + Guid.NewGuid().ToString("N")[..8], second = "cache-b-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            foreach (string seccomp in Directory.Exists(Path.Combine(Cli.StoreRoot, "seccomp")) ? Directory.GetFiles(Path.Combine(Cli.StoreRoot, "seccomp")) : [])
                File.Delete(seccomp);
            Assert.Equal(0, Cli.Run("run", "--name", first, "--hostname", "h", fixture.Image, "true").ExitCode);
            Assert.Equal(0, Cli.Run("run", "--name", second, "--hostname", "h", fixture.Image, "true").ExitCode);

            static string Normalized(string text) => Regex.Replace(text, "[0-9a-f]{64}|[0-9a-f]{12}", "ID");
            string a = Cli.Run("inspect", "--spec", first).Stdout, b = Cli.Run("inspect", "--spec", second).Stdout;
            Assert.Contains("\"seccomp\": {", a);
            Assert.Equal(Normalized(a), Normalized(b));
        }
        finally
        {
            Cli.Run("rm", "-f", first, second);
        }
    }

    [RootFact]
    public void DryRunAndExplain_ShowTheSpecAndWhereItsFieldsCameFrom()
    {
        MiniRunCli.Result dryRun = Cli.Run("run", "--rm", "--dry-run", "-e", "X=1", fixture.Image, "true");
        MiniRunCli.Result explained = Cli.Run("run", "--rm", "--explain", "-w", "/tmp", fixture.Image, "true");

        Assert.Matches(@"\ninstall -m 600 /dev/stdin \S+/config.json <<'EOF'\n\{\n  ""ociVersion""", dryRun.Stdout);
        Assert.Contains("#   process.env                 the image's Env (", dryRun.Stdout);
        Assert.Contains(", -e (1)", dryRun.Stdout);
        Assert.Contains("#   process.args                the command line", dryRun.Stdout);
        Assert.Equal(0, explained.ExitCode);
        Assert.Contains("#   process.cwd                 -w/--workdir", explained.Stderr);
        Assert.Contains("#   linux.seccomp               Docker's default profile", explained.Stderr);
        Assert.Matches(@"\n\+ install -m 600 /dev/stdin \S+/config.json <<'EOF'\n\+ \{\n", explained.Stderr);
    }

    [RootFact]
    public void InspectSpec_OfAMissingContainer_SaysSoInOneLine()
    {
        MiniRunCli.Result result = Cli.Run("inspect", "--spec", "no-such-container");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("minirun: No such container: no-such-container\n", result.Stderr);
    }
}
