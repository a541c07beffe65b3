using MiniRun.Containers;
using MiniRun.Explain;
using MiniRun.Native;
using MiniRun.Sandbox;
using MiniRun.Sandbox.Cgroups;

namespace MiniRun.Tests.Explain;

/// <summary>The explain and dry-run decorators, without root: quoting, the shell form of each call, the same calls either way.</summary>
public class ShellSyscallsTests
{
    [Theory]
    [InlineData("/var/lib/minirun/x", "/var/lib/minirun/x")]
    [InlineData("a b", "'a b'")]
    [InlineData("it's", "'it'\\''s'")]
    [InlineData("", "''")]
    [InlineData("$HOME", "'$HOME'")]
    public void Quote_Word_IsSafeForSh(string word, string expected) => Assert.Equal(expected, ShellQuote.Quote(word));

    [Fact]
    public void Legend_LongPaths_BecomeVariablesDefinedBeforeTheirFirstUse_NeverInsideQuotes()
    {
        string id = new('a', 64), layer = new('b', 64), dir = $"/var/lib/minirun/containers/{id}";
        var text = new StringWriter();
        var sys = new DryRunSyscalls(text, new RecordingSyscalls(), "/var/lib/minirun");

        sys.MakeDirectory(dir + "/merged", 0x1ed);
        sys.MakeDirectory(dir + "/diff", 0x1ed);
        sys.Describe($"tar -x -C layers/{layer}/diff", $"layer 1/1 (sha256:{layer})", alreadyDone: true);
        sys.MakeDirectory(dir + "/a b", 0x1ed); // quoted: a variable would not expand there
        sys.WriteFile(dir + "/config.json", $"{{\n  \"root\": \"{dir}/merged\"\n}}\n", 0x180); // a here-document is the file, as it is
        sys.WriteKernelFile($"/sys/fs/cgroup/pids/minirun/{id}/pids.max", "20");
        sys.StageBegins(NamespaceFlags.Pid, "the stage");
        sys.MakeDirectory("/var/lib/minirun2/x", 0x1ed); // another directory that starts the same
        sys.Exec(["true"], []);
        sys.StageEnded();

        string printed = text.ToString();
        Assert.Equal($$"""
            # shorthands for the paths below: STORE: the store (--root); ID: the container's ID; C: the container's directory
            export STORE=/var/lib/minirun
            export ID={{id}}
            export C=$STORE/containers/$ID
            # a directory
            mkdir -p $C/merged
            # a directory
            mkdir -p $C/diff
            # shorthands for the paths below: L1: a layer's ID (its diff ID)
            export L1={{layer}}
            # layer 1/1 (sha256:$L1)
            #(done) tar -x -C layers/$L1/diff
            # a directory
            mkdir -p '{{dir}}/a b'
            # a file
            install -m 600 /dev/stdin $C/config.json <<'EOF'
            {
              "root": "{{dir}}/merged"
            }
            EOF
            # at most this many processes: fork() fails beyond
            echo 20 > /sys/fs/cgroup/pids/minirun/$ID/pids.max

            """, printed[..printed.IndexOf("# the stage", StringComparison.Ordinal)]);
        Assert.Contains("\nmkdir -p /var/lib/minirun2/x\n", printed);
    }

    [Fact]
    public void DryRun_InitSequence_PrintsItsStepsAsCommands_AndDoesNothing()
    {
        var text = new StringWriter();
        var sys = new DryRunSyscalls(text, new RecordingSyscalls());
        InitSpec spec = Spec();

        sys.StageBegins(NamespaceFlags.Pid, "the stage");
        InitSequence.Prepare(sys, spec);
        InitSequence.Enter(sys, spec);
        sys.Exec(spec.Process.Args, spec.Process.Env);
        sys.StageEnded();

        string[] lines = text.ToString().Split('\n');
        List<string> commands = lines.Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        Assert.Equal("unshare --pid --fork --propagation unchanged bash -e <<'INIT' && status=0 || status=$?", commands[0]);
        Assert.Equal("exec unshare --mount --uts --ipc --propagation unchanged bash -e <<'NAMESPACES'", commands[1]);
        Assert.Equal("mount --make-rslave /", commands[2]);
        Assert.Equal("mkdir -p /r/proc", commands[3]);
        Assert.Equal("mount -t proc proc -o nosuid,nodev,noexec /r/proc", commands[4]);
        Assert.Contains("mknod -m 666 /r/dev/null c 1 3", commands);
        Assert.Contains("ln -s /proc/self/fd /r/dev/fd", commands);
        Assert.DoesNotContain(commands, c => c.Contains("mkdir -p /r/proc/", StringComparison.Ordinal)); // kernel files are never created
        Assert.Contains("hostname box", commands);
        Assert.Contains("exec unshare --cgroup bash -e <<'CGROUP'", commands);
        Assert.Equal("exec env -i PATH=/bin 'A=b c' capsh --drop=cap_dac_override,cap_dac_read_search --chroot=/r --gid=0 --uid=0 " +
                     "--shell=/bin/sh -- -c 'cd \"$0\" && exec \"$@\"' / sh -c 'echo hi'", commands[^4]);
        Assert.Equal(["CGROUP", "NAMESPACES", "INIT"], commands[^3..]);
        Assert.Contains(lines, l => l.StartsWith("# cd /r && pivot_root . . && mount --make-rslave . && umount -l .", StringComparison.Ordinal));
    }

    [Fact]
    public void DryRun_InitLayer_WritesTheFilesAsCommands()
    {
        var text = new StringWriter();

        InitLayer.Write(new DryRunSyscalls(text, new RecordingSyscalls()), "/c/init", "box", NetworkMode.None);

        Assert.Contains("printf %s $'box\\n' > /c/init/etc/hostname && chmod 644 /c/init/etc/hostname", text.ToString());
        Assert.Contains("ln -s /proc/mounts /c/init/etc/mtab", text.ToString());
    }

    [Fact]
    public void CgroupV2_DryRun_PrintsTheWritesAndDoesNothing()
    {
        using var fake = new TempDirectory("minirun-cgroup-steps");
        File.WriteAllText(fake.Combine("cgroup.controllers"), "memory pids\n");
        var text = new StringWriter();

        new CgroupV2Manager(fake.Path, new DryRunSyscalls(text, LinuxSyscalls.Instance)).Create("minirun/abc", new CgroupLimits { MemoryBytes = 33554432 });

        Assert.False(Directory.Exists(fake.Combine("minirun")));
        Assert.Contains($"mkdir -p {fake.Path}/minirun/abc\n", text.ToString());
        Assert.Contains($"echo 33554432 > {fake.Path}/minirun/abc/memory.max\n", text.ToString());
        // The swap write a real run makes, where the dry run once looked for the file in a cgroup it never made.
        Assert.Contains($"[ ! -e {fake.Path}/minirun/abc/memory.swap.max ] || echo 0 > {fake.Path}/minirun/abc/memory.swap.max\n", text.ToString());
    }

    /// <summary>
    /// This machine's cgroup2 offers no memory or pids: so the manager's real calls are recorded (a recording seam behind
    /// the explain decorator) and compared with what the dry-run decorator prints for the same container.
    /// </summary>
    [Theory]
    [InlineData("v2")]
    [InlineData("v1")]
    public void Cgroups_ExplainedRealCallsAndDryRun_AreTheSameCommands(string version)
    {
        using var fake = new TempDirectory("minirun-cgroup-calls");
        File.WriteAllText(fake.Combine("cgroup.controllers"), "cpu memory pids\n");
        var limits = new CgroupLimits { MemoryBytes = 33554432, PidsLimit = 64, Cpus = 0.5 };
        string Print(bool dryRun)
        {
            var text = new StringWriter();
            var kernel = new RecordingSyscalls();
            ISyscalls sys = dryRun ? new DryRunSyscalls(text, kernel) : new NarratingSyscalls(kernel, text);
            ICgroupManager manager = version == "v2"
                ? new CgroupV2Manager(fake.Path, sys)
                : new CgroupV1Manager(new Dictionary<string, string> { ["memory"] = "/cg/memory", ["pids"] = "/cg/pids", ["cpu"] = "/cg/cpu", ["cpuset"] = "/cg/cpuset" },
                    sys, "/cg/unified");
            manager.Create("minirun/abc", limits);
            manager.Remove("minirun/abc");
            return text.ToString().Replace("\n+ ", "\n");
        }

        string dryRun = Print(dryRun: true);

        Assert.Equal(Print(dryRun: false), dryRun);
        Assert.Contains("memory.", dryRun);
        Assert.Contains("rmdir", dryRun);
    }

    private static InitSpec Spec() => new()
    {
        RootFs = "/r",
        Hostname = "box",
        Namespaces = NamespaceFlags.Mount | NamespaceFlags.Uts | NamespaceFlags.Ipc,
        Mounts = ContainerMounts.Build("/r").Concat(ContainerMounts.Masks("/r", p => p == "/proc/acpi" ? true : p == "/proc/kcore" ? false : null)).ToList(),
        Devices = ContainerMounts.Devices(),
        Symlinks = ContainerMounts.Symlinks(),
        Process = new StageProcess
        {
            Capabilities = Capabilities.All(2) & ~0b110UL,
            LastCapability = 2,
            WorkingDir = "/",
            Args = ["sh", "-c", "echo hi"],
            Env = ["PATH=/bin", "A=b c"],
        },
    };
}
