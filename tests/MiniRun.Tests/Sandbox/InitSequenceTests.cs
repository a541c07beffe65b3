using MiniRun.Native;
using MiniRun.Sandbox;

namespace MiniRun.Tests.Sandbox;

/// <summary>The whole init sequence against the recording seam, without root: the exact calls, in order.</summary>
public class InitSequenceTests
{
    [Fact]
    public void InitSequence_PivotRoot_MakesExactlyTheseCalls()
    {
        var sys = new RecordingSyscalls();
        sys.Files["/r/dev"] = RecordingSyscalls.Dir; // the image has /dev; not /proc, /sys nor /etc/hostname
        InitSpec spec = Spec(useChroot: false);

        InitSequence.Prepare(sys, spec);
        sys.Calls.Add("-- go --");
        InitSequence.Enter(sys, spec);
        sys.Exec(spec.Process.Args, spec.Process.Env);

        Assert.Equal(Expected, sys.Calls);
    }

    [Fact]
    public void InitSequence_Chroot_EntersWithChrootInsteadOfPivotRoot()
    {
        var sys = new RecordingSyscalls();
        InitSpec spec = Spec(useChroot: true);

        InitSequence.Prepare(sys, spec);
        InitSequence.Enter(sys, spec);

        Assert.Contains("chroot /r", sys.Calls);
        Assert.DoesNotContain(sys.Calls, c => c.StartsWith("pivot_root", StringComparison.Ordinal));
    }

    [Fact]
    public void InitSequence_SymlinkedDevInTheImage_IsRefusedBeforeAnyMountOnIt()
    {
        var sys = new RecordingSyscalls();
        sys.Files["/r/dev"] = RecordingSyscalls.Link;

        var error = Assert.Throws<MiniRunException>(() => InitSequence.Prepare(sys, Spec(useChroot: false)));

        Assert.Contains("the image's /dev is a symbolic link", error.Message);
        Assert.DoesNotContain(sys.Calls, c => c.Contains(" /r/dev ", StringComparison.Ordinal));
    }

    [Fact]
    public void PrivilegeDrop_SeccompWithoutNoNewPrivileges_LoadsTheFilterAfterItsOwnCallsAndBeforeTheCapabilityDrop()
    {
        // A profile may be older than close_range(2): minirun's own calls come before the filter, which then needs
        // only CAP_SYS_ADMIN, still held until the credentials change (runc's order).
        var sys = new RecordingSyscalls();
        StageProcess process = Spec(useChroot: false).Process;

        PrivilegeDrop.BecomeCommand(sys, process.Credentials, noNewPrivileges: false, process.SessionKeyring, process.SeccompFilter,
            process.ResourceLimits, process.Umask);

        Assert.Equal(["keyring _ses.abc", "umask 22", "cloexec 3-", "seccomp 2", "credentials uid=1000 gid=100 groups=10 caps=5/3"], sys.Calls);
    }

    private static InitSpec Spec(bool useChroot) => new()
    {
        RootFs = "/r",
        UseChroot = useChroot,
        Hostname = "box",
        IsolateNetwork = true,
        Namespaces = NamespaceFlags.Mount | NamespaceFlags.Uts | NamespaceFlags.Ipc | NamespaceFlags.Network,
        CgroupJoinFiles = ["/cg/pids/minirun/abc/tasks"],
        CgroupEarlyJoinDirectory = "/cg/unified/minirun/abc",
        CgroupMounts =
        [
            new MountRecord("tmpfs", "tmpfs", "/r/sys/fs/cgroup", MountFlags.NoSuid | MountFlags.NoDev | MountFlags.NoExec, "mode=755"),
            new MountRecord("cgroup", "cgroup", "/r/sys/fs/cgroup/pids", MountFlags.NoSuid | MountFlags.NoDev | MountFlags.NoExec | MountFlags.ReadOnly, "pids"),
        ],
        Mounts =
        [
            new MountRecord("proc", "proc", "/r/proc", MountFlags.NoSuid | MountFlags.NoDev | MountFlags.NoExec),
            new MountRecord("tmpfs", "tmpfs", "/r/dev", MountFlags.NoSuid, "mode=755,size=65536k"),
            new MountRecord("bind", "/dev/null", "/r/proc/kcore", MountFlags.Bind),
        ],
        Devices = [new DeviceNode("dev/null", 1, 3, 0x1b6), new DeviceNode("dev/net/tun", 10, 200, 0x1b6)],
        Symlinks = [new SymlinkSpec("dev/fd", "/proc/self/fd")],
        RootMounts = [new MountRecord("bind", "/", "/", MountFlags.Remount | MountFlags.Bind | MountFlags.ReadOnly)],
        Process = new StageProcess
        {
            Uid = 1000,
            Gid = 100,
            Groups = [10],
            Capabilities = 0b101,
            LastCapability = 3,
            NoNewPrivileges = true,
            SessionKeyring = "_ses.abc",
            SeccompFilter = new MiniRun.Sandbox.Seccomp.SeccompFilter(new byte[16], "a profile"),
            WorkingDir = "/w",
            Args = ["sh", "-c", "echo hi"],
            Env = ["PATH=/bin"],
        },
    };

    private static readonly string[] Expected =
    [
        "mkdir -p /cg/unified/minirun/abc",
        "write-kernel /cg/unified/minirun/abc/cgroup.procs 0",
        "unshare Mount, Uts, Ipc, Network",
        "mount - / - Recursive, Slave -",
        "mount-in-root /r: proc /r/proc proc NoSuid, NoDev, NoExec -",
        "mount-in-root /r: tmpfs /r/dev tmpfs NoSuid mode=755,size=65536k",
        // No pts, shm or mqueue mount in this spec: no mount point made for them (--ipc none has no /dev/shm).
        "mkdir -p /r/dev/net",
        "umask 0",
        "mknod /r/dev/null 20666 1:3",
        "mknod /r/dev/net/tun 20666 10:200",
        "umask 22",
        "symlink /proc/self/fd /r/dev/fd",
        "mount /dev/null /r/proc/kcore bind Bind -",
        "sethostname box",
        "lo up",
        "-- go --",
        "write-kernel /cg/pids/minirun/abc/tasks 0",
        "unshare Cgroup",
        "mount tmpfs /r/sys/fs/cgroup tmpfs NoSuid, NoDev, NoExec mode=755",
        "mkdir /r/sys/fs/cgroup/pids 755",
        "mount cgroup /r/sys/fs/cgroup/pids cgroup ReadOnly, NoSuid, NoDev, NoExec pids",
        "pivot_root /r",
        "mkdir -p /w",
        "chdir /w",
        "mount / / bind ReadOnly, Remount, Bind -",
        "keyring _ses.abc",
        "umask 22",
        "cloexec 3-",
        "credentials uid=1000 gid=100 groups=10 caps=5/3",
        "no_new_privs",
        "seccomp 2",
        "execve sh -c echo hi",
    ];
}
