namespace MiniRun.Tests.Containers;

/// <summary>docker run's everyday verbs and flags beyond the basics: rename, --env-file.</summary>
public class EverydayFlagsTests(RunImageFixture fixture) : IClassFixture<RunImageFixture>
{
    private MiniRunCli Cli => fixture.Cli;

    [RootFact]
    public void Rename_ARunningContainer_KeepsItRunningUnderItsNewName()
    {
        Assert.Equal(0, Cli.Run("run", "-d", "--name", "ren-old", fixture.Image, "sleep", "300").ExitCode);
        Assert.Equal(0, Cli.Run("run", "-d", "--name", "ren-taken", fixture.Image, "sleep", "300").ExitCode);
        try
        {
            MiniRunCli.Result rename = Cli.Run("rename", "ren-old", "ren-new");
            Assert.True(rename.ExitCode == 0, rename.ToString());
            Assert.Equal("ok\n", Cli.Run("exec", "ren-new", "echo", "ok").Stdout);
            Assert.NotEqual(0, Cli.Run("inspect", "ren-old").ExitCode);
            Assert.Contains("ren-new", Cli.Run("ps").Stdout);

            MiniRunCli.Result taken = Cli.Run("rename", "ren-new", "ren-taken");
            Assert.Equal(1, taken.ExitCode);
            Assert.Contains("is already in use", taken.Stderr);
            MiniRunCli.Result invalid = Cli.Run("rename", "ren-new", "no/slash");
            Assert.Equal(1, invalid.ExitCode);
            Assert.Contains("Invalid container name", invalid.Stderr);

            // The old name is free again.
            Assert.Equal(0, Cli.Run("run", "--rm", "--name", "ren-old", fixture.Image, "true").ExitCode);
        }
        finally
        {
            Cli.Run("rm", "-f", "ren-new", "ren-old", "ren-taken");
        }
    }

    [RootFact]
    public void EnvFile_LinesAsWritten_CommentsSkipped_AndDashEWins()
    {
        string file = fixture.Scratch.Combine("env.list");
        File.WriteAllText(file, "# a comment\nA=from-file\n\nB=two words \"quoted\"\nFROM_HERE\n");
        MiniRunCli.Result run = Cli.RunWithEnvironment(new Dictionary<string, string> { ["FROM_HERE"] = "copied" },
            "run", "--rm", "--env-file", file, "-e", "A=from-e", fixture.Image, "sh", "-c", "echo \"A=$A\"; echo \"B=$B\"; echo \"FROM_HERE=$FROM_HERE\"");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("A=from-e\n", run.Stdout);
        Assert.Contains("B=two words \"quoted\"\n", run.Stdout);
        Assert.Contains("FROM_HERE=copied\n", run.Stdout);

        MiniRunCli.Result missing = Cli.Run("run", "--rm", "--env-file", fixture.Scratch.Combine("nosuch"), fixture.Image, "true");
        Assert.Equal(125, missing.ExitCode);
        Assert.Contains("no such file", missing.Stderr);
    }

    [RootFact]
    public void Ulimit_SoftAndHard_AreTheContainers_AndNonsenseIsRefused()
    {
        MiniRunCli.Result run = Cli.Run("run", "--rm", "--ulimit", "nofile=512:1024", "--ulimit", "core=-1", fixture.Image, "sh", "-c",
            "echo nofile=$(ulimit -n):$(ulimit -Hn) core=$(ulimit -c)");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("nofile=512:1024 core=unlimited", run.Stdout);

        MiniRunCli.Result bad = Cli.Run("run", "--rm", "--ulimit", "nofile=2048:1024", fixture.Image, "true");
        Assert.Equal(125, bad.ExitCode);
        Assert.Contains("soft limit must be less than or equal to hard limit", bad.Stderr);
        Assert.Contains("expected NAME=SOFT[:HARD]", Cli.Run("run", "--rm", "--ulimit", "files=1", fixture.Image, "true").Stderr);
    }

    [RootFact]
    public void Init_ReapsTheOrphanedZombieThatAPlainPid1Leaves()
    {
        // A child that leaves an orphan behind: the orphan is PID 1's to reap once it exits; sleep (PID 1) never does.
        const string orphan = "(sleep 0.2 &); exec sleep 60";
        const string zombies = "sleep 1; grep -l '^State:.Z' /proc/[0-9]*/status | wc -l; cat /proc/1/cmdline | tr '\\0' ' '";
        try
        {
            Assert.Equal(0, Cli.Run("run", "-d", "--name", "no-init", fixture.Image, "sh", "-c", orphan).ExitCode);
            Assert.Equal(0, Cli.Run("run", "-d", "--init", "--name", "with-init", fixture.Image, "sh", "-c", orphan).ExitCode);

            string plain = Cli.Run("exec", "no-init", "sh", "-c", zombies).Stdout;
            Assert.StartsWith("1\n", plain); // the zombie stays
            string withInit = Cli.Run("exec", "with-init", "sh", "-c", zombies).Stdout;
            Assert.StartsWith("0\n", withInit);
            Assert.Contains("/sbin/docker-init -- sh -c", withInit); // PID 1 is the init, the command its child
        }
        finally
        {
            Cli.Run("rm", "-f", "no-init", "with-init");
        }
    }

    [RootFact]
    public void Create_MakesAContainerThatStartRuns()
    {
        MiniRunCli.Result create = Cli.Run("create", "--name", "created", "-e", "WHO=created", fixture.Image, "sh", "-c", "echo hello $WHO");
        try
        {
            Assert.True(create.ExitCode == 0, create.ToString());
            Assert.Matches("^[0-9a-f]{64}\n$", create.Stdout);
            Assert.Contains("Created", Cli.Run("ps", "-a").Stdout);
            Assert.Equal(0, Cli.Run("start", "created").ExitCode);
            Assert.Equal("0\n", Cli.Run("wait", "created").Stdout);
            Assert.Equal("hello created\n", Cli.Run("logs", "created").Stdout);
        }
        finally
        {
            Cli.Run("rm", "-f", "created");
        }
    }

    [RootFact]
    public void Top_ShowsTheContainersProcessesWithHostPids()
    {
        Assert.Equal(0, Cli.Run("run", "-d", "--name", "topped", fixture.Image, "sleep", "300").ExitCode);
        try
        {
            int pid = System.Text.Json.JsonDocument.Parse(Cli.Run("inspect", "topped").Stdout).RootElement[0].GetProperty("State").GetProperty("Pid").GetInt32();
            MiniRunCli.Result top = Cli.Run("top", "topped");
            Assert.True(top.ExitCode == 0, top.ToString());
            string[] lines = top.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Matches(@"^UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD$", lines[0]);
            Assert.Matches($@"^root\s+{pid}\s+\d+\s+0\s+\S+\s+\?\s+\d\d:\d\d:\d\d\s+sleep 300$", lines[1]);
            Assert.Equal(2, lines.Length);
        }
        finally
        {
            Cli.Run("rm", "-f", "topped");
        }
        Assert.NotEqual(0, Cli.Run("top", "topped").ExitCode);
    }

    [RootFact]
    public void AddHost_LinesEndUpInEtcHosts_AndNonsenseIsRefused()
    {
        MiniRunCli.Result run = Cli.Run("run", "--rm", "--network", "none", "--add-host", "db:10.1.2.3", "--add-host", "v6:fd00::1", fixture.Image, "cat", "/etc/hosts");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.EndsWith("10.1.2.3\tdb\nfd00::1\tv6\n", run.Stdout);

        MiniRunCli.Result bad = Cli.Run("run", "--rm", "--add-host", "db:not-an-ip", fixture.Image, "true");
        Assert.Equal(125, bad.ExitCode);
        Assert.Contains("expected NAME:IP", bad.Stderr);
    }

    [RootFact]
    public void Device_IsMadeAndLetThroughTheDeviceCgroup_WithItsPermissionsOnly()
    {
        if (!File.Exists("/dev/fuse")) return; // the node this test borrows (10:229, not among Docker's defaults)
        const string probe = "ls -l /dev/fuse | cut -c1; (exec 3</dev/fuse) && echo read-ok; (exec 3<>/dev/fuse) && echo write-ok";
        MiniRunCli.Result none = Cli.Run("run", "--rm", fixture.Image, "sh", "-c", "ls /dev/fuse");
        Assert.NotEqual(0, none.ExitCode); // no node without --device

        MiniRunCli.Result all = Cli.Run("run", "--rm", "--device", "/dev/fuse", fixture.Image, "sh", "-c", probe);
        Assert.True(all.ExitCode == 0, all.ToString());
        Assert.Equal("c\nread-ok\nwrite-ok\n", all.Stdout);

        MiniRunCli.Result readOnly = Cli.Run("run", "--rm", "--device", "/dev/fuse:/dev/fuse:r", fixture.Image, "sh", "-c", probe);
        Assert.Equal("c\nread-ok\n", readOnly.Stdout); // the device cgroup refuses the write
        Assert.Contains("Operation not permitted", readOnly.Stderr);

        MiniRunCli.Result notADevice = Cli.Run("run", "--rm", "--device", "/etc/hostname", fixture.Image, "true");
        Assert.Equal(125, notADevice.ExitCode);
        Assert.Contains("not a device node", notADevice.Stderr);
    }
}
