namespace MiniRun.Tests.Support;

/// <summary>
/// A root test on a <see cref="BtrfsFileSystem"/>: it needs root (mkfs, a loop mount), mkfs.btrfs (apt-get install
/// btrfs-progs; scripts/deps.sh --ci does) and a kernel with btrfs. CI has all three, so there it always runs.
/// </summary>
public sealed class BtrfsFactAttribute : FactAttribute
{
    public BtrfsFactAttribute()
    {
        if (!MiniRun.Native.Syscalls.IsRoot) Skip = "needs root: the test makes and loop-mounts a btrfs file system (run with sudo make test)";
        else if (!new[] { "/usr/sbin", "/sbin", "/usr/bin", "/bin" }.Any(d => File.Exists(Path.Combine(d, "mkfs.btrfs"))))
            Skip = "needs mkfs.btrfs to make a btrfs file system: apt-get install btrfs-progs (scripts/deps.sh --ci does)";
        // Built in, or a module the mount loads (request_module): either will do.
        else if (!File.ReadAllText("/proc/filesystems").Split('\n').Any(l => l.Trim() == "btrfs")
                 && !Directory.Exists($"/lib/modules/{File.ReadAllText("/proc/sys/kernel/osrelease").Trim()}/kernel/fs/btrfs"))
            Skip = "needs a kernel with btrfs (modprobe btrfs)";
    }
}
