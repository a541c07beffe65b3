namespace MiniRun.Sandbox.Cgroups;

/// <summary>A container's cgroup path below each hierarchy's root: minirun/&lt;id&gt;, as Docker's cgroupfs driver uses docker/&lt;id&gt;.</summary>
public static class CgroupNames
{
    public const string Parent = "minirun";

    public static string For(string containerId) => Parent + "/" + containerId;
}
