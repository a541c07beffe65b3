using MiniRun.Native;

namespace MiniRun.Sandbox;

/// <summary>A stage joins its container's cgroup itself: "0" (the writer) into each file (see ICgroupManager.SelfJoinFiles).</summary>
internal static class CgroupJoin
{
    public static void Enter(IReadOnlyList<string> files)
    {
        foreach (string file in files) KernelFiles.Write(file, "0");
    }

    /// <summary>
    /// The whole process into a unified (v2) group, made first when missing (the parent makes it too, whichever comes
    /// first): cgroup.procs, as a domain group takes no thread alone (see ICgroupManager.EarlyJoinDirectory).
    /// </summary>
    public static void EnterProcess(string directory)
    {
        try { Syscalls.TryMakeDirectory(directory, 0x1ed); }
        catch (NativeException e) when (e.Errno == Errnos.ENOENT) { Directory.CreateDirectory(directory); } // the first container: minirun/ too
        KernelFiles.Write(Path.Combine(directory, "cgroup.procs"), "0");
    }
}
