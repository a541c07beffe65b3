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

    /// <summary>
    /// Rootless: where the processes that sat in the user's delegated group are moved (its own shell, minirun), so that
    /// it holds none and may enable controllers for minirun/ (see <see cref="CgroupDelegation.MoveProcessesAside"/>).
    /// </summary>
    public const string Session = "minirun-session";

    public static string For(string containerId) => Parent + "/" + containerId;
}
