using System.Runtime.InteropServices;

namespace MiniRun.Native;

/// <summary>
/// Checked calls for unpacking a tree by path (the layer unpacker itself works through <see cref="InRootDirectory"/>):
/// "Try" variants report EEXIST as false (the caller then replaces the old entry).
/// </summary>
public static class UnpackSyscalls
{
    private static bool ExistsOrFail(string call, string path)
    {
        int errno = Marshal.GetLastPInvokeError();
        if (errno == Errnos.EEXIST) return false;
        throw new NativeException(call, path, errno);
    }

    /// <summary>mknod(2) for fifos and devices; false when the name exists.</summary>
    public static bool TryMakeNode(string path, uint mode, uint major, uint minor) =>
        Libc.mknod(path, mode, Syscalls.MakeDevice(major, minor)) == 0 || ExistsOrFail("mknod", path);
}
