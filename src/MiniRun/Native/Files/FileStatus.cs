namespace MiniRun.Native;

/// <summary>What lstat(2) says of a path.</summary>
public sealed record FileStatus(uint Mode, uint Uid, uint Gid, uint LinkCount, long Size, ulong Inode, ulong Device,
    uint RdevMajor, uint RdevMinor, DateTimeOffset Modified)
{
    public uint Type => Mode & Syscalls.S_IFMT;
    public uint Permissions => Mode & 0xFFF;
    public bool IsDirectory => Type == Syscalls.S_IFDIR;
    public bool IsSymlink => Type == Syscalls.S_IFLNK;
    public bool IsRegular => Type == Syscalls.S_IFREG;
    public bool IsCharacterDevice => Type == Syscalls.S_IFCHR;
    public bool IsBlockDevice => Type == Syscalls.S_IFBLK;
    /// <summary>An overlayfs whiteout: a character device 0/0.</summary>
    public bool IsWhiteout => Type == Syscalls.S_IFCHR && RdevMajor == 0 && RdevMinor == 0;
}
