using MiniRun.Native;

namespace MiniRun.Sandbox;

/// <summary>A stage joins its container's cgroup itself: "0" (the writer) into each file (see ICgroupManager.SelfJoinFiles).</summary>
internal static class CgroupJoin
{
    public static void Enter(IReadOnlyList<string> files)
    {
        foreach (string file in files) KernelFiles.Write(file, "0");
    }
}
