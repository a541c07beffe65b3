using MiniRun.Common;
using MiniRun.Native;
using MiniRun.Sandbox;

namespace MiniRun.Containers;

/// <summary>
/// The container's root filesystem: one overlay mount whose lowerdir lists the extra layers, the init layer and the
/// image layers, top first (overlayfs.rst: the leftmost lower is the top). Paths are relative to the store root and
/// the mount is made from there, so 128 layers of "l/&lt;26 chars&gt;" stay within one page of options, as moby's
/// overlay2 does, and no path in the options can contain the ',' or ':' that would break them.
/// </summary>
public static class OverlayMount
{
    /// <summary>The kernel copies mount options into one page (fs/namespace.c).</summary>
    public const int MaxOptionsLength = 4095;

    /// <param name="lowerTopFirst">lower directories relative to the store root, top first.</param>
    public static MountRecord Build(IReadOnlyList<string> lowerTopFirst, string upper, string work, string mergedAbsolute)
    {
        if (lowerTopFirst.Count == 0) throw new ArgumentException("overlay needs at least one lower directory", nameof(lowerTopFirst));
        foreach (string dir in lowerTopFirst.Append(upper).Append(work))
            if (Path.IsPathRooted(dir) || dir.IndexOfAny([',', ':', '\\', '\n']) >= 0)
                throw new ArgumentException($"overlay path \"{dir}\" must be relative to the store root and free of , : \\", nameof(lowerTopFirst));
        string options = Options(lowerTopFirst, upper, work);
        if (options.Length > MaxOptionsLength)
            throw new MiniRunException($"overlay mount options for {mergedAbsolute} are {options.Length} bytes, over the kernel's {MaxOptionsLength}: the image has too many layers");
        return new MountRecord("overlay", "overlay", mergedAbsolute, MountFlags.None, options);
    }

    /// <summary>The length of the options <see cref="Build"/> makes, which must fit in <see cref="MaxOptionsLength"/>.</summary>
    public static int OptionsLength(IReadOnlyList<string> lowerTopFirst, string upper, string work) => Options(lowerTopFirst, upper, work).Length;

    /// <summary>Rootless: userxattr, which lets a user namespace's root mount overlay (Linux 5.11) with its xattrs as
    /// user.overlay.* (overlayfs.rst), the names the rootless unpacker writes.</summary>
    private static string Options(IReadOnlyList<string> lowerTopFirst, string upper, string work) =>
        $"lowerdir={string.Join(':', lowerTopFirst)},upperdir={upper},workdir={work}{(RootlessMode.Active ? ",userxattr" : "")}";

    /// <summary>
    /// Mounts <paramref name="overlay"/> with the store root as working directory. This thread first takes a filesystem
    /// context of its own (unshare(CLONE_FS)), so the chdir never moves the other threads, and comes back to its old
    /// working directory afterwards. (Not a thread of its own: NativeAOT's Thread.Start spins until the thread runs.)
    /// </summary>
    public static void Mount(ISyscalls sys, string storeRoot, MountRecord overlay)
    {
        int previous = ProcessControl.OpenDirectory(".");
        try
        {
            sys.Unshare(NamespaceFlags.FileSystem);
            sys.ChangeDirectory(storeRoot);
            try
            {
                overlay.Apply(sys);
            }
            finally
            {
                Syscalls.ChangeDirectory(previous, "the previous working directory"); // this thread's own, not the container's
            }
        }
        finally
        {
            ProcessControl.Close(previous);
        }
    }

    /// <summary>Unmounts the overlay if it is mounted; one still busy is detached (umount -l).</summary>
    public static void Unmount(ISyscalls sys, string merged)
    {
        try
        {
            sys.Unmount(merged, UnmountFlags.None);
        }
        catch (NativeException e) when (e.Errno == Errnos.EBUSY)
        {
            sys.Unmount(merged, UnmountFlags.Detach);
        }
    }

    /// <summary>As <see cref="Unmount(ISyscalls, string)"/>, on the kernel.</summary>
    public static void Unmount(string merged) => Unmount(LinuxSyscalls.Instance, merged);

    public static bool IsMounted(string path)
    {
        string escaped = path.Replace(" ", "\\040");
        foreach (string line in (KernelFiles.TryReadAll("/proc/self/mounts") ?? "").Split('\n'))
        {
            int start = line.IndexOf(' ') + 1;
            int end = line.IndexOf(' ', start);
            if (end > start && line.AsSpan(start, end - start).SequenceEqual(escaped)) return true;
        }
        return false;
    }
}
