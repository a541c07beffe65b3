using MiniRun.Tests.HostReads;

namespace MiniRun.Tests.Containers;

/// <summary>
/// The class of runc's 2025 advisories (CVE-2025-31133, -52565, -52881): a root whose mount targets are symlinks must
/// not take a mount, or a file made for one, to the host. An image decides what its /dev, /proc and /sys are; here they
/// are links to a host directory, stacked on the image with --layer. And runc's CVE-2021-30465: a container that shares
/// a volume swaps a directory on another container's mount path for a symlink while that one starts.
/// </summary>
public class MountTargetTests(RunImageFixture fixture) : IClassFixture<RunImageFixture>
{
    [RootTheory]
    [InlineData("dev")]
    [InlineData("proc")]
    [InlineData("sys")]
    public void Run_MountTargetIsASymlinkToTheHost_IsRefusedAndTouchesNothingThere(string target)
    {
        using var scratch = new TempDirectory("minirun-mount-target");
        string host = scratch.Combine("host-dir");
        Directory.CreateDirectory(host);
        File.WriteAllText(Path.Combine(host, "keep"), "host file");
        string layer = scratch.Combine("layer");
        Directory.CreateDirectory(layer);
        File.CreateSymbolicLink(Path.Combine(layer, target), host);

        MiniRunCli.Result result = fixture.Cli.Run("run", "--rm", "--layer", layer, fixture.Image, "sh", "-c", "ls /dev /proc /sys");

        Assert.Equal(125, result.ExitCode);
        Assert.Contains($"the image's /{target} is a symbolic link", result.Stderr);
        Assert.Equal(["keep"], Directory.GetFileSystemEntries(host).Select(Path.GetFileName));
        Assert.Equal("host file", File.ReadAllText(Path.Combine(host, "keep")));
        Assert.DoesNotContain(host, File.ReadAllText("/proc/self/mountinfo"));
    }

    /// <summary>
    /// Docker's (runc's) rule for a user's mount below a symlink of the image: the link is followed inside the root, an
    /// absolute one as if the root were "/", so a link to a host directory's path leads to the same path in the root.
    /// </summary>
    [RootFact]
    public void Run_UserMountBelowAnImageSymlinkToAHostPath_LandsAtThatPathInsideTheRoot()
    {
        using var scratch = new TempDirectory("minirun-mount-target");
        string host = scratch.Combine("host-dir");
        Directory.CreateDirectory(host);
        string bound = scratch.Combine("bound");
        Directory.CreateDirectory(bound);
        File.WriteAllText(Path.Combine(bound, "payload"), "bound\n");
        string layer = scratch.Combine("layer");
        Directory.CreateDirectory(layer);
        File.CreateSymbolicLink(Path.Combine(layer, "alias"), host);

        MiniRunCli.Result run = fixture.Cli.RunOk("run", "--rm", "--layer", layer, "-v", bound + ":/alias/in", "--tmpfs", "/alias/tmp",
            fixture.Image, "sh", "-c", $"cat {host}/in/payload; grep -c ' {host}/tmp ' /proc/self/mountinfo");

        Assert.Equal("bound\n1\n", run.Stdout);
        Assert.Empty(Directory.GetFileSystemEntries(host));
        Assert.DoesNotContain(host, File.ReadAllText("/proc/self/mountinfo"));
    }

    /// <summary>A link of the image's into the container's /proc would put a user's mount over the kernel's files (CVE-2025-52881's class).</summary>
    [RootFact]
    public void Run_UserMountThroughAnImageSymlinkIntoProc_IsRefused_WhileTheHostsSysBindsIn()
    {
        using var scratch = new TempDirectory("minirun-mount-target");
        string layer = scratch.Combine("layer");
        Directory.CreateDirectory(layer);
        File.CreateSymbolicLink(Path.Combine(layer, "tunables"), "/proc/sys/kernel");

        MiniRunCli.Result run = fixture.Cli.Run("run", "--rm", "--layer", layer, "--tmpfs", "/tunables", fixture.Image, "true");

        Assert.Equal(125, run.ExitCode);
        Assert.Contains("leads into the container's /proc or /sys", run.Stderr);
        // A bind of the host's /sys (and its read-only remount, and its propagation) is a mount over the root's own directory.
        Assert.Equal("1\n", fixture.Cli.RunOk("run", "--rm", "-v", "/sys:/hostsys:ro", fixture.Image, "sh", "-c", "ls /hostsys | grep -c '^kernel$'").Stdout);
    }

    /// <summary>
    /// CVE-2021-30465's proof of concept: a racer container swaps, in a loop (renameat2 RENAME_EXCHANGE), two
    /// directories of a shared volume with symlinks, one to the host's "/", one to a canary directory of the host (as
    /// the host names it); meanwhile containers start with a tmpfs or a bind mount below those directories. A mount
    /// target checked, then mounted by path, would be made (mkdir) and mounted on the host through the link. Every
    /// start must either run with its mount inside its root or fail in one clean line; nothing appears on the host.
    /// </summary>
    [RootFact]
    public void Run_AContainerSwapsASymlinkIntoAMountPathInASharedVolume_NoMountOrDirectoryLandsOutsideTheRoot()
    {
        using var scratch = new TempDirectory("minirun-mount-race");
        string canary = scratch.Combine("canary");
        Directory.CreateDirectory(canary);
        File.WriteAllText(Path.Combine(canary, "keep"), "host file");
        string bound = scratch.Combine("bound");
        Directory.CreateDirectory(bound);
        string tools = scratch.Combine("tools");
        Directory.CreateDirectory(tools);
        StaticProgram.Build(RacePrograms.Racer, Path.Combine(tools, "racer"));
        string tag = Guid.NewGuid().ToString("N")[..12];
        string volume = "mount-race-" + tag, racer = "mount-racer-" + tag, prefix = "minirun-race-" + tag;
        var outcomes = new List<string>();
        try
        {
            fixture.Cli.RunOk("run", "-d", "--name", racer, "-v", volume + ":/data", "--layer", tools, fixture.Image, "sh", "-c",
                $"mkdir /data/d1 /data/d2 && ln -s / /data/l1 && ln -s {canary} /data/l2 && exec /racer /data/d1 /data/l1 /data/d2 /data/l2");
            Thread.Sleep(300);
            Assert.Contains(racer, fixture.Cli.RunOk("ps").Stdout);

            // Bounded in time: each start is one more roll of the dice, and most land in the race window.
            DateTime deadline = DateTime.UtcNow.AddSeconds(4);
            for (int i = 0; i < 12 || DateTime.UtcNow < deadline; i++)
            {
                // Four mounts a start, each with two names to make below a swapped directory (two walks through it,
                // each a chance for a path-based start to go astray): tmpfs, bind, read-only bind (whose remount must
                // reach that bind and nothing else).
                string name = $"{prefix}-{i}";
                string[] mounts =
                [
                    "--tmpfs", $"/data/d1/{name}-a/in", "-v", $"{bound}:/data/d2/{name}-b/in",
                    "-v", $"{bound}:/data/d1/{name}-c/in:ro", "--tmpfs", $"/data/d2/{name}-d/in",
                ];
                string check = $"for m in '/{name}-a/in ' '/{name}-b/in ' '/{name}-c/in ro,' '/{name}-d/in '; do grep -q \"$m\" /proc/self/mountinfo || exit 1; done";
                MiniRunCli.Result run = fixture.Cli.Run(["run", "--rm", "-v", volume + ":/data", .. mounts, fixture.Image, "sh", "-c", check]);
                if (run.ExitCode == 0) outcomes.Add("mounted inside");
                else if (run.ExitCode == 125 && run.Stderr.StartsWith("minirun: ", StringComparison.Ordinal) && run.Stderr.TrimEnd('\n').Split('\n').Length == 1)
                    outcomes.Add("refused: " + run.Stderr.Trim());
                else Assert.Fail($"start {i} ran without its mounts inside, or failed unclearly: {run}");

                Assert.Equal(["keep"], Directory.GetFileSystemEntries(canary).Select(Path.GetFileName));
                Assert.Empty(Directory.GetFileSystemEntries(bound));
                Assert.Empty(Directory.GetFileSystemEntries("/", prefix + "*"));
                Assert.DoesNotContain(prefix, File.ReadAllText("/proc/self/mountinfo"));
            }
            Assert.Contains(racer, fixture.Cli.RunOk("ps").Stdout); // the racer raced all along
            Assert.Contains("mounted inside", outcomes);
        }
        finally
        {
            fixture.Cli.Run("rm", "-f", racer);
            fixture.Cli.Run("volume", "rm", volume);
            foreach (string escaped in Directory.GetFileSystemEntries("/", prefix + "*"))
                if (Directory.Exists(escaped)) Directory.Delete(escaped, recursive: true);
                else File.Delete(escaped);
        }
    }
}
