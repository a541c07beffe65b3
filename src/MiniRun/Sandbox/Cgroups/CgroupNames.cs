namespace MiniRun.Sandbox.Cgroups;

/// <summary>A container's cgroup path below each hierarchy's root: minirun/&lt;id&gt;, as Docker's cgroupfs driver uses docker/&lt;id&gt;.</summary>
public static class CgroupNames
{
    public const string Parent = "minirun";

    /// <summary>
    /// Where the container's processes live in a hierarchy that holds one of its limits: minirun/&lt;id&gt;/container.
    /// The limit is enforced on minirun/&lt;id&gt; and mirrored here, and the container's cgroup namespace is rooted
    /// here: a container that mounts cgroupfs from a user namespace of its own (cgroup v1 has no nsdelegate) can write
    /// only the mirror, and raising it raises nothing (limits are hierarchical).
    /// </summary>
    public const string Leaf = "container";

    public static string For(string containerId) => Parent + "/" + containerId;
}
