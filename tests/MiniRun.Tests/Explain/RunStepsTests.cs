using MiniRun.Containers;
using MiniRun.Explain;
using MiniRun.Native;
using MiniRun.Sandbox;
using MiniRun.Sandbox.Cgroups;

namespace MiniRun.Tests.Explain;

/// <summary>The steps as data, without root: quoting, the unshare line, the init stage's steps from its spec, dry-run recording.</summary>
public class RunStepsTests
{
    [Theory]
    [InlineData("/var/lib/minirun/x", "/var/lib/minirun/x")]
    [InlineData("a b", "'a b'")]
    [InlineData("it's", "'it'\\''s'")]
    [InlineData("", "''")]
    [InlineData("$HOME", "'$HOME'")]
    public void Quote_Word_IsSafeForSh(string word, string expected) => Assert.Equal(expected, ShellQuote.Quote(word));

    [Fact]
    public void Namespaces_NetworkNone_AddsNet()
    {
        Step step = RunSteps.Namespaces(SandboxLauncher.NamespacesFor(isolateNetwork: true), "sh");

        Assert.Equal("unshare --mount --uts --ipc --net --pid --fork --propagation unchanged sh", step.Command);
    }

    [Fact]
    public void PrepareRoot_Spec_GivesItsMountsInOrderThenHostname()
    {
        InitSpec spec = Spec(useChroot: false);

        List<string> commands = RunSteps.PrepareRoot(spec).Select(s => s.Command).ToList();

        Assert.Equal("mount --make-rslave /", commands[0]);
        Assert.Equal("[ -e /r/proc ] || mkdir -p /r/proc", commands[1]);
        Assert.Equal("mount -t proc proc -o nosuid,nodev,noexec /r/proc", commands[2]);
        Assert.Contains("mknod -m 666 /r/dev/null c 1 3", commands);
        Assert.Contains("ln -s /proc/self/fd /r/dev/fd", commands);
        Assert.DoesNotContain(commands, c => c.Contains("mkdir -p /r/proc/", StringComparison.Ordinal)); // kernel files are never created
        Assert.Equal("hostname box", commands[^1]);
    }

    [Fact]
    public void EnterRoot_PivotOrChroot_AsTheInitStageDoes()
    {
        Assert.Equal(["cd /r && pivot_root . .", "mount --make-rslave . && umount -l ."], RunSteps.EnterRoot(Spec(false)).Select(s => s.Command));
        Assert.Equal(["cd /r && chroot ."], RunSteps.EnterRoot(Spec(true)).Select(s => s.Command));
    }

    [Fact]
    public void Exec_Spec_DropsWhatIsNotInTheSetAndExecsWithOnlyItsEnvironment()
    {
        InitSpec spec = Spec(false);

        List<string> commands = RunSteps.Exec(spec).Select(s => s.Command).ToList();

        Assert.Equal("capsh --drop=cap_dac_override,cap_dac_read_search --gid=0 --uid=0", commands.Single(c => c.StartsWith("capsh", StringComparison.Ordinal)));
        Assert.Equal("exec env -i PATH=/bin 'A=b c' sh -c 'echo hi'", commands[^1]);
    }

    [Fact]
    public void InitLayer_Steps_WriteTheSameFilesAsWrite()
    {
        List<Step> steps = InitLayer.Steps("/c/init", "box", NetworkMode.None).ToList();

        Assert.Contains(steps, s => s.Command == "printf %s 'box\n' > /c/init/etc/hostname && chmod 644 /c/init/etc/hostname");
        Assert.Contains(steps, s => s.Command == "ln -s /proc/mounts /c/init/etc/mtab");
    }

    [Fact]
    public void CgroupV2_RecordingNarrator_RecordsTheWritesAndDoesNothing()
    {
        using var fake = new TempDirectory("minirun-cgroup-steps");
        File.WriteAllText(fake.Combine("cgroup.controllers"), "memory pids\n");
        var narrator = new RecordingNarrator();

        new CgroupV2Manager(fake.Path, narrator).Create("minirun/abc", new CgroupLimits { MemoryBytes = 33554432 });

        Assert.False(Directory.Exists(fake.Combine("minirun")));
        Assert.Contains(narrator.Steps, s => s.Command == $"mkdir -p {fake.Path}/minirun/abc");
        Assert.Contains(narrator.Steps, s => s.Command == $"echo 33554432 > {fake.Path}/minirun/abc/memory.max");
    }

    private static InitSpec Spec(bool useChroot) => new()
    {
        RootFs = "/r",
        UseChroot = useChroot,
        Hostname = "box",
        Mounts = ContainerMounts.Build("/r").Concat(ContainerMounts.Masks("/r", p => p == "/proc/acpi" ? true : p == "/proc/kcore" ? false : null)).ToList(),
        Devices = ContainerMounts.Devices(),
        Symlinks = ContainerMounts.Symlinks(),
        Capabilities = Capabilities.All(2) & ~0b110UL,
        LastCapability = 2,
        WorkingDir = "/",
        Args = ["sh", "-c", "echo hi"],
        Env = ["PATH=/bin", "A=b c"],
    };
}
