using MiniRun.Fixtures;

namespace MiniRun.Tests.Runtime.Engines;

/// <summary>
/// What the engine tests need of this machine: the engines themselves (a missing one fails the test, naming the
/// package to install: scripts/deps.sh --ci installs them all) and the runtime link they call, made in the test's own
/// directory so that it points at the binary under test.
/// </summary>
internal static class EnginePeer
{
    public static void Require(string command, string package)
    {
        if (!ExternalCommand.IsOnPath(command))
            throw new InvalidOperationException($"{command} is missing: apt-get install {package} (scripts/deps.sh --ci installs it)");
    }

    /// <summary>A `minirun-runtime` link to the binary under test in <paramref name="directory"/>: the name picks the runtime's command line.</summary>
    public static string RuntimeLink(string directory)
    {
        string link = Path.Combine(directory, "minirun-runtime");
        File.CreateSymbolicLink(link, MiniRunCli.BinaryPath);
        return link;
    }

    /// <summary>Runs a command and returns its stdout; throws with everything it printed when it fails.</summary>
    public static string Check(string file, IEnumerable<string> args, TimeSpan? timeout = null, IReadOnlyDictionary<string, string>? environment = null) =>
        ExternalCommand.CheckResult(ExternalCommand.Run(file, args, timeout ?? TimeSpan.FromMinutes(3), environment));

    /// <summary>`script -qc COMMAND /dev/null`: the command on a terminal of its own (what `docker run -it` needs), its output.</summary>
    public static ExternalCommand.Result OnTerminal(string shellCommand, IReadOnlyDictionary<string, string>? environment = null)
    {
        Require("script", "bsdutils");
        return ExternalCommand.Run("script", ["-qec", shellCommand, "/dev/null"], TimeSpan.FromMinutes(2), environment);
    }

    /// <summary>Waits until <paramref name="condition"/> holds (up to <paramref name="seconds"/>).</summary>
    public static bool WaitFor(Func<bool> condition, int seconds = 30)
    {
        for (DateTime end = DateTime.UtcNow.AddSeconds(seconds); DateTime.UtcNow < end; Thread.Sleep(100))
            if (condition()) return true;
        return condition();
    }

    /// <summary>The host's cgroup directory of a process for one v1 controller, or its unified one.</summary>
    public static string CgroupDirectory(int pid, string controller)
    {
        string[] lines = File.ReadAllLines($"/proc/{pid}/cgroup");
        foreach (string line in lines)
        {
            string[] parts = line.Split(':', 3);
            if (parts[1].Split(',').Contains(controller)) return "/sys/fs/cgroup/" + parts[1] + parts[2];
        }
        return "/sys/fs/cgroup" + lines.Single(l => l.StartsWith("0::", StringComparison.Ordinal))[3..];
    }
}
