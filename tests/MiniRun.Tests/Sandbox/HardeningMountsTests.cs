using MiniRun.Explain;
using MiniRun.Native;
using MiniRun.Sandbox;

namespace MiniRun.Tests.Sandbox;

/// <summary>The masked and read-only paths as data: Docker's exact lists, and the mount records built from them.</summary>
public class HardeningMountsTests
{
    private const string Root = "/c/merged";

    [Fact]
    public void MaskedPaths_AreDockersDefaults()
    {
        Assert.Equal(["/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
            "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware"], ContainerMounts.MaskedPaths);
        Assert.Equal(["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"], ContainerMounts.ReadOnlyPaths);
    }

    [Fact]
    public void Masks_FileDirectoryAndAbsent_GiveDevNullReadOnlyTmpfsAndNothing()
    {
        bool? Kind(string path) => path switch { "/proc/kcore" => false, "/sys/firmware" => true, _ => null };

        List<MountRecord> mounts = ContainerMounts.Masks(Root, Kind);

        Assert.Equal(["mount --bind /c/merged/dev/null /c/merged/proc/kcore", "mount -t tmpfs tmpfs -o ro /c/merged/sys/firmware"],
            mounts.Select(m => m.ToShellCommand()));
    }

    [Fact]
    public void ReadOnly_EachPath_IsBoundThenRemountedReadOnly()
    {
        List<MountRecord> mounts = ContainerMounts.ReadOnly(Root, p => p == "/proc/sys" ? true : null);

        Assert.Equal(2, mounts.Count);
        Assert.Equal(MountFlags.Bind | MountFlags.Recursive, mounts[0].Flags);
        Assert.Equal("/c/merged/proc/sys", mounts[0].Source);
        Assert.True(mounts[1].IsRemount);
        Assert.True(mounts[1].Flags.HasFlag(MountFlags.ReadOnly));
        Assert.Equal("mount -o remount,bind,ro,nosuid,nodev,noexec /c/merged/proc/sys", mounts[1].ToShellCommand());
    }

    [Fact]
    public void Build_Privileged_LeavesSysWritable()
    {
        Assert.True(ContainerMounts.Build(Root).Single(m => m.Type == "sysfs").Flags.HasFlag(MountFlags.ReadOnly));
        Assert.False(ContainerMounts.Build(Root, privileged: true).Single(m => m.Type == "sysfs").Flags.HasFlag(MountFlags.ReadOnly));
    }

    [Fact]
    public void ReadOnlyRoot_IsARemountOfSlash()
    {
        Assert.Equal("mount -o remount,bind,ro /", ContainerMounts.ReadOnlyRoot().ToShellCommand());
    }

    [Fact]
    public void Console_IsTheTerminalBoundOnDevConsole()
    {
        Assert.Equal("mount --bind /dev/pts/3 /c/merged/dev/console", ContainerMounts.Console(Root, "/dev/pts/3").ToShellCommand());
    }

    [Fact]
    public void Symlinks_WithoutKcore_HaveNoDevCore()
    {
        Assert.Contains(ContainerMounts.Symlinks(withCore: true), l => l.Path == "dev/core");
        Assert.DoesNotContain(ContainerMounts.Symlinks(withCore: false), l => l.Path == "dev/core");
    }
}
