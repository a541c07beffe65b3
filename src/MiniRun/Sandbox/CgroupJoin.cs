using MiniRun.Native;

namespace MiniRun.Sandbox;

/// <summary>
/// A stage (init, exec) joins its container's cgroup itself, through the seam: "0" (the writer) into each file (see
/// ICgroupManager.SelfJoinFiles), and first, into its unified (v2) group (ICgroupManager.EarlyJoinDirectory).
/// </summary>
internal static class CgroupJoin
{
    public static void Enter(ISyscalls sys, IReadOnlyList<string> files)
    {
        foreach (string file in files)
        {
            sys.Explain(Path.GetFileName(file) == "tasks"
                ? "the stage moves its own thread into the cgroup (0 is the writer); that thread execve()s the command, so all of it is inside"
                : "the stage joins the cgroup (0 is the writer); the command and its children stay in it");
            sys.WriteKernelFile(file, "0");
        }
    }

    /// <summary>
    /// The whole process into a unified (v2) group, made first when missing (the parent makes it too, whichever comes
    /// first): cgroup.procs, as a domain group takes no thread alone. That move waits for an RCU grace period, which
    /// passes while the parent creates the rest of the cgroup.
    /// </summary>
    public static void EnterProcess(ISyscalls sys, string directory)
    {
        sys.Explain("the stage moves its whole process into its group of the unified (v2) hierarchy, first: that move waits for an " +
                    "RCU grace period, which passes while minirun creates the rest of the cgroup");
        sys.MakeDirectories(directory);
        sys.WriteKernelFile(Path.Combine(directory, "cgroup.procs"), "0");
    }

    /// <summary>
    /// The parent moves the stage in, for a stage in a user namespace, which owns none of the host's cgroup files:
    /// its PID into each file (into tasks, only that thread: the one that execve()s the command).
    /// </summary>
    public static void FromOutside(ISyscalls sys, int pid, IReadOnlyList<string> files, string? unifiedDirectory)
    {
        string id = pid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        sys.Explain("the stage is in a user namespace, whose root owns no cgroup file of the host's: minirun moves it into its cgroup");
        if (unifiedDirectory is not null)
        {
            sys.MakeDirectories(unifiedDirectory);
            sys.WriteKernelFile(Path.Combine(unifiedDirectory, "cgroup.procs"), id);
        }
        foreach (string file in files) sys.WriteKernelFile(file, id);
    }
}
