namespace MiniRun.Native;

/// <summary>mount(2) flags (linux/mount.h).</summary>
[Flags]
public enum MountFlags : ulong
{
    None = 0,
    ReadOnly = 1,
    NoSuid = 2,
    NoDev = 4,
    NoExec = 8,
    Remount = 32,
    NoAtime = 1024,
    Bind = 4096,
    Move = 8192,
    Recursive = 16384,
    Unbindable = 1 << 17,
    Private = 1 << 18,
    Slave = 1 << 19,
    Shared = 1 << 20,
    RelAtime = 1 << 21,
    StrictAtime = 1 << 24,
}

[Flags]
public enum UnmountFlags
{
    None = 0,
    Force = 1,
    Detach = 2,
}

/// <summary>clone(2)/unshare(2) namespace flags.</summary>
[Flags]
public enum NamespaceFlags
{
    None = 0,
    FileSystem = 0x00000200,   // CLONE_FS: a thread of its own cwd and root
    Mount = 0x00020000,
    Cgroup = 0x02000000,
    Uts = 0x04000000,
    Ipc = 0x08000000,
    User = 0x10000000,
    Pid = 0x20000000,
    Network = 0x40000000,
}
