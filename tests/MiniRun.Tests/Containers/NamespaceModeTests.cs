namespace MiniRun.Tests.Containers;

/// <summary>
/// docker run's --pid, --ipc, --uts and --shm-size: which namespaces a container shares with the host or another
/// container, seen from inside (what `ps`, /proc/self/ns, /dev/shm and `hostname` show) as under Docker.
/// </summary>
public class NamespaceModeTests(RunImageFixture fixture) : IClassFixture<RunImageFixture>
{
    private MiniRunCli Cli => fixture.Cli;

    private string Sh(params string[] args)
    {
        MiniRunCli.Result run = Cli.Run(["run", "--rm", .. args]);
        Assert.True(run.ExitCode == 0, run.ToString());
        return run.Stdout;
    }

    private static string OurNamespace(string type) => new FileInfo($"/proc/self/ns/{type}").LinkTarget!;

    [RootFact]
    public void Pid_Host_ThePsOfTheHost_AndWhatPid1LeftIsKilled()
    {
        // Its own shell is no PID 1, /proc lists this test's process, and /proc/1 is the host's init.
        string[] lines = Sh("--pid", "host", fixture.Image, "sh", "-c",
            $"echo $$; test -d /proc/{Environment.ProcessId} && echo sees-us; readlink /proc/self/ns/pid; tr '\\0' ' ' < /proc/1/cmdline; echo")
            .Split('\n');
        Assert.NotEqual("1", lines[0]);
        Assert.Equal("sees-us", lines[1]);
        Assert.Equal(OurNamespace("pid"), lines[2]);
        Assert.Equal(File.ReadAllText("/proc/1/cmdline").Replace('\0', ' '), lines[3]);
        Assert.Equal("1\n", Sh(fixture.Image, "sh", "-c", "echo $$")); // the default: a PID namespace of its own
        // create, then start (its supervisor spawns the stage): the same.
        string id = Cli.RunOk("create", "--pid", "host", fixture.Image, "readlink", "/proc/self/ns/pid").Stdout.Trim();
        try
        {
            Cli.RunOk("start", id);
            Cli.RunOk("wait", id);
            Assert.Equal(OurNamespace("pid") + "\n", Cli.RunOk("logs", id).Stdout);
        }
        finally
        {
            Cli.Run("rm", "-f", id);
        }

        // PID 1's exit ends nothing else in the host's PID namespace: the runner kills what is left in the cgroup.
        int orphan = int.Parse(Sh("--pid", "host", fixture.Image, "sh", "-c", "sleep 300 & echo $!").Trim());
        Assert.True(IsGoneOrZombie(orphan), $"PID {orphan} outlived its container");
    }

    private static bool IsGoneOrZombie(int pid)
    {
        for (int i = 0; i < 100; i++)
        {
            string? stat = File.Exists($"/proc/{pid}/stat") ? TryRead($"/proc/{pid}/stat") : null;
            if (stat is null || stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z')) return true; // dead, awaiting its reaper
            Thread.Sleep(20);
        }
        return false;
    }

    private static string? TryRead(string path)
    {
        try { return File.ReadAllText(path); }
        catch (IOException) { return null; }
    }

    [RootFact]
    public void Ipc_HostPrivateNone_TheirNamespaceAndDevShmAsDockers()
    {
        string name = $"minirun-ipc-{Guid.NewGuid():N}";
        File.WriteAllText(Path.Combine("/dev/shm", name), "from-host\n");
        try
        {
            // host: the host's namespace and its /dev/shm, bound.
            Assert.Equal($"{OurNamespace("ipc")}\nfrom-host\n", Sh("--ipc", "host", fixture.Image, "sh", "-c", $"readlink /proc/self/ns/ipc; cat /dev/shm/{name}"));
            // private (Docker's default): a namespace of its own, an empty 64 MiB tmpfs.
            foreach (string[] flags in new[] { new[] { "--ipc", "private" }, [] })
            {
                string[] own = Sh([.. flags, fixture.Image, "sh", "-c", "readlink /proc/self/ns/ipc; ls /dev/shm | wc -l; df -k /dev/shm | tail -1"]).Split('\n');
                Assert.NotEqual(OurNamespace("ipc"), own[0]);
                Assert.Equal("0", own[1].Trim());
                Assert.Matches(@"^shm\s+65536\s", own[2]);
            }
            // none: a namespace of its own and no /dev/shm at all.
            Assert.Equal("absent\n", Sh("--ipc", "none", fixture.Image, "sh", "-c", "test -e /dev/shm && echo present || echo absent"));
        }
        finally
        {
            File.Delete(Path.Combine("/dev/shm", name));
        }
    }

    [RootFact]
    public void Ipc_ContainerOfAShareableOne_SameNamespaceQueuesAndShm_OthersRefused()
    {
        try
        {
            Cli.RunOk("run", "-d", "--name", "ipc-donor", "--ipc", "shareable", fixture.Image, "sh", "-c",
                "echo from-donor > /dev/shm/f; touch /dev/mqueue/q; exec sleep 300");
            Cli.RunOk("run", "-d", "--name", "ipc-private", fixture.Image, "sleep", "300");
            string donorNamespace = Cli.RunOk("exec", "ipc-donor", "sh", "-c", "while [ ! -e /dev/mqueue/q ]; do sleep 0.05; done; readlink /proc/self/ns/ipc").Stdout;

            // Its IPC namespace (the POSIX queue the donor made) and its /dev/shm, both ways.
            Assert.Equal(donorNamespace + "q\nfrom-donor\n",
                Sh("--ipc", "container:ipc-donor", fixture.Image, "sh", "-c", "readlink /proc/self/ns/ipc; ls /dev/mqueue; cat /dev/shm/f; echo back > /dev/shm/g"));
            Assert.Equal("back\n", Cli.RunOk("exec", "ipc-donor", "cat", "/dev/shm/g").Stdout);
            // create too, checked again at its start.
            string id = Cli.RunOk("create", "--ipc", "container:ipc-donor", fixture.Image, "readlink", "/proc/self/ns/ipc").Stdout.Trim();
            Cli.RunOk("start", id);
            Cli.RunOk("wait", id);
            Assert.Equal(donorNamespace, Cli.RunOk("logs", id).Stdout);
            Cli.Run("rm", "-f", id);

            // Docker's refusals: a private donor, an unknown one, a stopped one; nothing is left behind.
            int before = Cli.Run("ps", "-aq").Stdout.Length;
            MiniRunCli.Result priv = Cli.Run("run", "--rm", "--ipc", "container:ipc-private", fixture.Image, "true");
            Assert.Equal(125, priv.ExitCode);
            Assert.Contains("non-shareable IPC (hint: use --ipc shareable for the donor container)", priv.Stderr);
            MiniRunCli.Result unknown = Cli.Run("run", "--rm", "--ipc", "container:nosuch", fixture.Image, "true");
            Assert.Equal((125, "minirun: No such container: nosuch\n"), (unknown.ExitCode, unknown.Stderr));
            Cli.RunOk("stop", "-t", "0", "ipc-donor");
            MiniRunCli.Result stopped = Cli.Run("run", "--rm", "--ipc", "container:ipc-donor", fixture.Image, "true");
            Assert.Equal(125, stopped.ExitCode);
            Assert.Contains("is not running", stopped.Stderr);
            Assert.Equal(before, Cli.Run("ps", "-aq").Stdout.Length);
            // The donor's /dev/shm went with its run.
            Assert.DoesNotContain(File.ReadLines("/proc/self/mounts"), l => l.Contains(fixture.Scratch.Path) && l.Split(' ')[1].EndsWith("/shm"));
        }
        finally
        {
            Cli.Run("rm", "-f", "ipc-donor", "ipc-private");
        }
    }

    [RootFact]
    public void Uts_Host_TheHostsName_AndHostnameWithItIsRefused()
    {
        string hostname = File.ReadAllText("/proc/sys/kernel/hostname").Trim();
        Assert.Equal($"{hostname}\n{OurNamespace("uts")}\n", Sh("--uts", "host", fixture.Image, "sh", "-c", "hostname; readlink /proc/self/ns/uts"));

        MiniRunCli.Result both = Cli.Run("run", "--rm", "--uts", "host", "-h", "box", fixture.Image, "true");
        Assert.Equal(125, both.ExitCode);
        Assert.StartsWith("minirun: conflicting options: hostname and the UTS mode", both.Stderr);
        Assert.Equal(125, Cli.Run("run", "--rm", "--uts", "other", fixture.Image, "true").ExitCode);
        Assert.Equal(125, Cli.Run("run", "--rm", "--pid", "other", fixture.Image, "true").ExitCode);
    }

    [RootFact]
    public void ShmSize_DevShmOfThatSize_InInspect_AndTheDefaultIs64m()
    {
        Assert.Matches(@"^shm\s+1024\s", Sh("--shm-size", "1m", fixture.Image, "sh", "-c", "df -k /dev/shm | tail -1"));
        try
        {
            Cli.RunOk("create", "--name", "shm-sized", "--shm-size", "2m", "--ipc", "shareable", "--pid", "host", "--uts", "host", fixture.Image, "true");
            string inspect = Cli.RunOk("inspect", "shm-sized").Stdout;
            Assert.Contains("\"ShmSize\": 2097152", inspect);
            Assert.Contains("\"IpcMode\": \"shareable\"", inspect);
            Assert.Contains("\"PidMode\": \"host\"", inspect);
            Assert.Contains("\"UTSMode\": \"host\"", inspect);
            Cli.RunOk("create", "--name", "shm-default", fixture.Image, "true");
            Assert.Contains("\"ShmSize\": 67108864", Cli.RunOk("inspect", "shm-default").Stdout);
        }
        finally
        {
            Cli.Run("rm", "-f", "shm-sized", "shm-default");
        }
        Assert.Equal(125, Cli.Run("run", "--rm", "--shm-size", "-1", fixture.Image, "true").ExitCode);
    }

    [RootFact]
    public void DryRun_HostModes_NoNewPidNamespace_HostShmBound_NoHostname()
    {
        MiniRunCli.Result dry = Cli.Run("run", "--dry-run", "--pid", "host", "--ipc", "host", "--uts", "host", fixture.Image, "true");
        Assert.True(dry.ExitCode == 0, dry.ToString());
        Assert.Contains("\nbash -e <<'INIT'", dry.Stdout); // born in the host's PID namespace: no unshare --pid
        Assert.Contains("exec unshare --mount --propagation unchanged bash", dry.Stdout); // no --uts, no --ipc
        Assert.Contains("mount --rbind /dev/shm ", dry.Stdout);
        Assert.DoesNotContain("\nhostname ", dry.Stdout);
        Assert.DoesNotContain("\"type\": \"pid\"", dry.Stdout);
    }
}
