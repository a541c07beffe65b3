namespace MiniRun.Tests.Parity;

/// <summary>
/// --pid, --ipc, --uts and --shm-size, -u, the network sysctls, and `port`, against the real Docker engine: the same container sees the same
/// things (its /dev/shm, whether it is PID 1, its host name), and `port` answers as docker port does.
/// </summary>
public sealed class RunModesParityTests(ParityImage image) : IClassFixture<ParityImage>
{
    // What a container shows of its namespaces, free of IDs: its /dev/shm (source and size), whether its shell is
    // PID 1, whether its host name is its /etc/hostname (the container's) or not (the host's), /proc/1's command.
    private const string Facts =
        "if [ -e /dev/shm ]; then df -k /dev/shm | tail -1 | awk '{print $1, $2}'; else echo no-shm; fi; " +
        "[ $$ = 1 ] && echo pid-1 || echo not-pid-1; [ \"$(hostname)\" = \"$(cat /etc/hostname)\" ] && echo own-name || echo other-name; " +
        "tr '\\0' ' ' < /proc/1/cmdline | cut -c1-40";

    public static TheoryData<string[]> Modes() => new()
    {
        Array.Empty<string>(), new[] { "--ipc", "host" }, new[] { "--ipc", "private" }, new[] { "--ipc", "none" }, new[] { "--ipc", "shareable" },
        new[] { "--shm-size", "2m" }, new[] { "--pid", "host" }, new[] { "--uts", "host" },
    };

    private MiniRunCli Load(TempDirectory store)
    {
        var cli = new MiniRunCli(store.Path);
        cli.RunOk("load", "-i", image.Archive(ParityFormat.DockerSave), "--tag", image.Name);
        return cli;
    }

    [DockerTheory]
    [MemberData(nameof(Modes))]
    public void Modes_SameViewFromInsideAsDocker(string[] flags)
    {
        using var store = new TempDirectory("minirun-modes-parity");
        MiniRunCli cli = Load(store);

        string docker = DockerEngine.Docker(["run", "--rm", "--network", "none", .. flags, image.Name, "sh", "-c", Facts]);
        MiniRunCli.Result ours = cli.Run(["run", "--rm", "--network", "none", .. flags, image.Name, "sh", "-c", Facts]);

        Assert.True(ours.ExitCode == 0, ours.ToString());
        Assert.Equal(docker, ours.Stdout);
    }

    /// <summary>-u: the same IDs and supplementary groups (Docker's always hold the primary group; an explicit one alone).</summary>
    [DockerTheory]
    [InlineData("")]
    [InlineData("nobody")]
    [InlineData("nobody:root")]
    [InlineData("1000")]
    [InlineData("4242:7")]
    public void User_SameIdsAndGroupsAsDocker(string user)
    {
        using var store = new TempDirectory("minirun-user-parity");
        MiniRunCli cli = Load(store);
        string[] flags = user.Length > 0 ? ["-u", user] : [];
        string[] probe = ["sh", "-c", "grep -E '^(Uid|Gid|Groups):' /proc/self/status"];

        string docker = DockerEngine.Docker(["run", "--rm", "--network", "none", .. flags, image.Name, .. probe]);
        MiniRunCli.Result ours = cli.Run(["run", "--rm", "--network", "none", .. flags, image.Name, .. probe]);

        Assert.True(ours.ExitCode == 0, ours.ToString());
        Assert.Equal(docker, ours.Stdout);
    }

    /// <summary>Docker's network sysctls: with a network namespace of its own, low ports and ping for everyone; the host's otherwise.</summary>
    [DockerTheory]
    [InlineData("none")]
    [InlineData("host")]
    public void NetworkSysctls_SameAsDocker(string network)
    {
        using var store = new TempDirectory("minirun-sysctl-parity");
        MiniRunCli cli = Load(store);
        string[] probe = ["cat", "/proc/sys/net/ipv4/ip_unprivileged_port_start", "/proc/sys/net/ipv4/ping_group_range"];

        string docker = DockerEngine.Docker(["run", "--rm", "--network", network, image.Name, .. probe]);
        MiniRunCli.Result ours = cli.Run(["run", "--rm", "--network", network, image.Name, .. probe]);

        Assert.True(ours.ExitCode == 0, ours.ToString());
        Assert.Equal(docker, ours.Stdout);
    }

    [DockerFact]
    public void Port_NothingPublished_SameAnswersAsDockerPort()
    {
        using var store = new TempDirectory("minirun-port-parity");
        MiniRunCli cli = Load(store);
        string name = $"minirun-port-{Guid.NewGuid():N}";
        try
        {
            DockerEngine.Docker("run", "-d", "--name", name, "--network", "none", image.Name, "sleep", "300");
            cli.RunOk("run", "-d", "--name", name, image.Name, "sleep", "300");
            foreach (string[] asked in new[] { Array.Empty<string>(), ["80"], ["80/tcp"], ["53/udp"], ["http"] })
            {
                var docker = MiniRun.Fixtures.ExternalCommand.Run("docker", ["port", name, .. asked]);
                MiniRunCli.Result ours = cli.Run(["port", name, .. asked]);
                Assert.Equal((docker.ExitCode, docker.Stdout), (ours.ExitCode, ours.Stdout));
                // Docker's CLI says "Error: …", minirun "minirun: …": the same words after it (the invalid port's reason aside).
                if (docker.Stderr.Contains("No public port"))
                    Assert.Equal(docker.Stderr.Trim()["Error: ".Length..], ours.Stderr.Trim()["minirun: ".Length..]);
            }
        }
        finally
        {
            DockerEngine.TryDocker("rm", "-f", name);
            cli.Run("rm", "-f", name);
        }
    }
}
