using System.Runtime.InteropServices;

namespace MiniRun.Native;

/// <summary>
/// The btrfs subvolume ioctls (linux/btrfs.h), made through <see cref="ioctl"/>: the argument structs are blittable,
/// names in fixed buffers, so NativeAOT marshals nothing. The request numbers are _IOW/_IOR(0x94, nr, size) as the
/// generic ioctl encoding spells them (x86_64 and arm64 alike).
/// </summary>
internal static unsafe partial class Libc
{
    /// <summary>statfs(2) f_type of btrfs (linux/magic.h BTRFS_SUPER_MAGIC).</summary>
    public const long BTRFS_SUPER_MAGIC = 0x9123683E;

    /// <summary>BTRFS_FIRST_FREE_OBJECTID: the inode number of every subvolume's top directory.</summary>
    public const ulong BTRFS_FIRST_FREE_OBJECTID = 256;

    public const nuint BTRFS_IOC_SUBVOL_CREATE = 0x5000940e;   // _IOW(0x94, 14, struct btrfs_ioctl_vol_args)
    public const nuint BTRFS_IOC_SNAP_DESTROY = 0x5000940f;    // _IOW(0x94, 15, struct btrfs_ioctl_vol_args)
    public const nuint BTRFS_IOC_SNAP_CREATE_V2 = 0x50009417;  // _IOW(0x94, 23, struct btrfs_ioctl_vol_args_v2)
    public const nuint BTRFS_IOC_SUBVOL_GETFLAGS = 0x80089419; // _IOR(0x94, 25, __u64)
    public const nuint BTRFS_IOC_SUBVOL_SETFLAGS = 0x4008941a; // _IOW(0x94, 26, __u64)

    /// <summary>The subvolume flag BTRFS_IOC_SNAP_CREATE_V2 and the GETFLAGS/SETFLAGS pair read and write.</summary>
    public const ulong BTRFS_SUBVOL_RDONLY = 1UL << 1;

    /// <summary>struct btrfs_ioctl_vol_args: a descriptor and one name (BTRFS_PATH_NAME_MAX + 1 bytes), 4096 bytes in all.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 4096)]
    public struct BtrfsVolumeArgs
    {
        public const int NameSize = 4088;
        public long Fd;
        public fixed byte Name[NameSize];
    }

    /// <summary>
    /// struct btrfs_ioctl_vol_args_v2: the source's descriptor, transid (out), flags, four words (the qgroup-inherit
    /// size and pointer, unused here: zero), then the new name (BTRFS_SUBVOL_NAME_MAX + 1 bytes); 4096 bytes in all.
    /// </summary>
    [StructLayout(LayoutKind.Sequential, Size = 4096)]
    public struct BtrfsVolumeArgsV2
    {
        public const int NameSize = 4040;
        public long Fd;
        public ulong TransactionId;
        public ulong Flags;
        public fixed ulong Unused[4];
        public fixed byte Name[NameSize];
    }
}
