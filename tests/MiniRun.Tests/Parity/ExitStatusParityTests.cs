using MiniRun.Fixtures;

namespace MiniRun.Tests.Parity;

/// <summary>
/// Issue 18: each verb's common failures exit as `docker` does (1 when the engine refuses or the arguments are too
/// few, 125 for a flag it cannot parse and for run), and minirun says why in one line starting "minirun:", with
/// Docker's words for a missing object. Both engines get the same containers: stopped, running, paused.
/// </summary>
public sealed class ExitStatusParityTests(ParityImage image) : IClassFixture<ParityImage>
{
    // {image}: the parity image; {stopped} {running} {paused}: containers in that state (per engine, same roles).
    private static readonly string[] Cases =
    [
        // a missing container
        "stop nosuch", "kill nosuch", "start nosuch", "rm nosuch", "wait nosuch", "pause nosuch", "unpause nosuch",
        "attach nosuch", "logs nosuch", "exec nosuch ls", "diff nosuch", "top nosuch", "port nosuch", "inspect nosuch",
        "rename nosuch other", "commit nosuch", "export nosuch", "cp nosuch:/etc/hostname -", "stats --no-stream nosuch",
        "container inspect nosuch", "container rm nosuch", "container logs nosuch",
        // a missing image
        "rmi nosuch", "history nosuch", "tag nosuch other", "save nosuch", "image inspect nosuch", "image rm nosuch",
        "create --pull never nosuch", "run --pull never nosuch",
        // no arguments
        "stop", "kill", "start", "rm", "wait", "pause", "unpause", "attach", "logs", "exec", "diff", "top", "port", "inspect",
        "rename", "commit", "export", "cp", "rmi", "history", "tag", "save", "pull", "run", "create", "exec {running}",
        // an unknown flag
        "ps --bogus", "images --bogus", "stop --bogus {running}", "rm --bogus x", "run --bogus {image}", "logs --bogus x",
        "image ls --bogus", "container ls --bogus", "system df --bogus", "image prune --bogus", "container prune --bogus",
        "volume ls --bogus", "info --bogus", "version --bogus",
        // a bad flag value
        "ps -n x", "stop -t x {running}", "run --memory x {image}", "commit --pause=maybe {stopped}",
        "create --stop-timeout soon {image}",
        // the container is not in the right state
        "exec {stopped} ls", "exec {paused} ls", "pause {stopped}", "pause {paused}", "unpause {running}", "attach {stopped}",
        "attach {paused}", "top {stopped}", "kill {stopped}", "rm {running}", "rm {paused}", "rmi {image}",
        "kill -s BOGUS {running}", "create --name {running} {image}", "run --name {running} {image}",
        // unknown commands
        "bogusverb", "image bogus", "container bogus", "system bogus", "volume bogus",
        "volume inspect nosuchvolume", "volume rm nosuchvolume",
    ];

    [DockerFact]
    public void EveryVerb_CommonFailures_ExitAsDockerInOneLine()
    {
        using var store = new TempDirectory("minirun-exit-parity");
        var cli = new MiniRunCli(store.Path);
        MiniRunCli.Result load = cli.Run("load", "-i", image.Archive(ParityFormat.DockerSave), "--tag", image.Name);
        Assert.True(load.ExitCode == 0, load.ToString());
        string suffix = Guid.NewGuid().ToString("N")[..8];
        var names = new Dictionary<string, string>
        {
            ["{image}"] = image.Name,
            ["{stopped}"] = $"exit-stopped-{suffix}", ["{running}"] = $"exit-running-{suffix}", ["{paused}"] = $"exit-paused-{suffix}",
        };
        try
        {
            foreach (Func<string[], string> engine in new Func<string[], string>[]
                     { args => DockerEngine.Docker(args), args => { MiniRunCli.Result r = cli.Run(args); Assert.True(r.ExitCode == 0, r.ToString()); return r.Stdout; } })
            {
                engine(["create", "--name", names["{stopped}"], "--network", "none", image.Name, "sleep", "300"]);
                engine(["run", "-d", "--name", names["{running}"], "--network", "none", image.Name, "sleep", "300"]);
                engine(["run", "-d", "--name", names["{paused}"], "--network", "none", image.Name, "sleep", "300"]);
                engine(["pause", names["{paused}"]]);
            }

            var mismatches = new List<string>();
            foreach (string line in Cases)
            {
                string[] args = line.Split(' ').Select(a => names.Aggregate(a, (text, n) => text.Replace(n.Key, n.Value))).ToArray();
                ExternalCommand.Result docker = DockerEngine.Status(args);
                MiniRunCli.Result minirun = cli.Run(args);
                string[] errorLines = minirun.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                if (minirun.ExitCode != docker.ExitCode)
                    mismatches.Add($"{line}: docker {docker.ExitCode}, minirun {minirun.ExitCode} ({minirun.Stderr.Trim()})");
                else if (minirun.ExitCode != 0 && (errorLines.Length != 1 || !errorLines[0].StartsWith("minirun: ", StringComparison.Ordinal)))
                    mismatches.Add($"{line}: not one 'minirun:' line: {minirun.Stderr}");
                else if (line.Contains(" nosuch") && !line.StartsWith("volume", StringComparison.Ordinal) && line.Split(' ') is var words
                         && !minirun.Stderr.Contains(MissingWords(words), StringComparison.Ordinal))
                    mismatches.Add($"{line}: not Docker's words ({MissingWords(words)}): {minirun.Stderr}");
            }
            Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
        }
        finally
        {
            foreach (string name in names.Where(n => n.Key != "{image}").Select(n => n.Value))
            {
                DockerEngine.TryDocker("unpause", name);
                DockerEngine.TryDocker("rm", "-f", name);
                cli.Run("unpause", name);
                cli.Run("rm", "-f", name);
            }
        }
    }

    /// <summary>Docker's words for the missing object the case names.</summary>
    private static string MissingWords(string[] words)
    {
        bool imageVerb = words[0] is "rmi" or "history" or "tag" or "save" or "create" or "run" || words[..2] is ["image", _];
        return words[0] == "inspect" ? "No such object: nosuch" : imageVerb ? "No such image: nosuch" : "No such container: nosuch";
    }
}
