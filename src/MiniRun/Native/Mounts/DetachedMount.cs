using System.Runtime.InteropServices;

namespace MiniRun.Native;

/// <summary>
/// A read-only overlayfs that is in no mount namespace: only its descriptor reaches it, and it goes when the last
/// descriptor (or an executable image mapped from it) does. runc ≥ 1.2 runs itself from one (libcontainer/exeseal).
/// </summary>
public static class DetachedMount
{
    /// <summary>
    /// fsopen("overlay"), lowerdir=<paramref name="lowerDirs"/> (two or more, no upper: read-only), fsmount read-only,
    /// nosuid, nodev; returns the mount's descriptor (close-on-exec). The errors name the step and the lowerdir.
    /// </summary>
    public static int OpenReadOnlyOverlay(string lowerDirs)
    {
        int context = Libc.fsopen("overlay", Libc.FSOPEN_CLOEXEC);
        if (context < 0) throw new NativeException("fsopen", "overlay", Marshal.GetLastPInvokeError());
        try
        {
            if (Libc.fsconfig(context, Libc.FSCONFIG_SET_STRING, "lowerdir", lowerDirs, 0) != 0)
                throw new NativeException("fsconfig lowerdir", lowerDirs, Marshal.GetLastPInvokeError());
            // xino is of no use here and, across filesystems, only logs to dmesg (runc turns it off too); an old kernel may not know it.
            Libc.fsconfig(context, Libc.FSCONFIG_SET_STRING, "xino", "off", 0);
            if (Libc.fsconfig(context, Libc.FSCONFIG_CMD_CREATE, null, null, 0) != 0)
                throw new NativeException("fsconfig create overlay", lowerDirs, Marshal.GetLastPInvokeError());
            int mount = Libc.fsmount(context, Libc.FSMOUNT_CLOEXEC, Libc.MOUNT_ATTR_RDONLY | Libc.MOUNT_ATTR_NOSUID | Libc.MOUNT_ATTR_NODEV);
            if (mount < 0) throw new NativeException("fsmount", lowerDirs, Marshal.GetLastPInvokeError());
            return mount;
        }
        finally
        {
            Libc.close(context);
        }
    }

    /// <summary>openat(2) O_PATH of a file directly under an open directory, not following a symlink, close-on-exec.</summary>
    public static int OpenPathAt(int directoryFd, string name)
    {
        int fd = Libc.openat(directoryFd, name, Libc.O_PATH | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
        if (fd < 0) throw new NativeException("openat", name, Marshal.GetLastPInvokeError());
        return fd;
    }
}
