using System.Diagnostics.CodeAnalysis;
using MiniRun.Sandbox.Cgroups;

namespace MiniRun.Containers;

/// <summary>
/// A container's own cgroup, where it has one: the counters `stats` reads and the process list `top` prefers. A rootless
/// container has none unless the user has a delegated cgroup v2 subtree (it stays in the user's cgroup), so what is
/// asked is whether the group exists, not whether minirun runs rootless.
/// </summary>
public static class ContainerCgroup
{
    /// <summary>This host's cgroup manager when the container's group exists in one of its hierarchies, else null.</summary>
    public static ICgroupManager? Find(Container container) => CgroupDetector.Detect() is { } cgroups && Exists(cgroups, container) ? cgroups : null;

    /// <summary>Whether the container's group exists in one of the hierarchies of <paramref name="cgroups"/> (null: none).</summary>
    public static bool Exists([NotNullWhen(true)] ICgroupManager? cgroups, Container container)
    {
        foreach (string dir in cgroups?.Directories(CgroupNames.For(container.Id)) ?? [])
            if (Directory.Exists(dir)) return true;
        return false;
    }

    /// <summary>Why <paramref name="verb"/> cannot read <paramref name="container"/>'s cgroup, in one line.</summary>
    public static string Missing(string verb, Container container) =>
        RootlessMode.Active
            ? $"{verb} needs the container's own cgroup; rootless containers have none without a delegated cgroup v2 subtree (see minirun doctor)"
            : CgroupDetector.Detect() is null
                ? $"{verb} needs the container's own cgroup, and no cgroup filesystem is mounted"
                : $"{verb} needs the container's own cgroup, and container {container.Id} has none";
}
