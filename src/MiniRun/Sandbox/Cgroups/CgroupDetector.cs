using MiniRun.Common;
using MiniRun.Native;

namespace MiniRun.Sandbox.Cgroups;

/// <summary>
/// Chooses the cgroup implementation: v1 wherever v1 controllers are mounted (legacy and hybrid machines, as Docker does),
/// else v2. $MINIRUN_CGROUP=v1|v2 forces one (tests use it to exercise v2 on a hybrid machine).
/// </summary>
public static class CgroupDetector
{
    public const string OverrideVariable = "MINIRUN_CGROUP";

    public static CgroupLayout ReadLayout() => CgroupLayout.Parse(KernelFiles.TryReadAll("/proc/self/mountinfo") ?? "");

    /// <summary>The manager for this machine, or null when no cgroup filesystem is mounted.
    /// Rootless: none, the container stays in the user's cgroup (no subtree is delegated to the user; limits are refused).</summary>
    /// <param name="sys">the seam every mkdir and write of the cgroup goes through (--explain and --dry-run decorate it).</param>
    public static ICgroupManager? Detect(ISyscalls? sys = null) =>
        RootlessMode.Active ? null : Choose(ReadLayout(), Environment.GetEnvironmentVariable(OverrideVariable), sys);

    /// <summary>
    /// The host's hierarchies a container's /sys/fs/cgroup shows: <see cref="Detect"/>'s, and rootless too, where no group
    /// is made but the hierarchies are still mounted from the container's cgroup namespace (rooted at the user's own
    /// groups; mounting an existing hierarchy needs CAP_SYS_ADMIN only in that namespace's user namespace, cgroups(7)),
    /// as rootless runc and Podman show them. Only for <see cref="ICgroupManager.MountsInside"/>: rootless, nothing is written.
    /// </summary>
    public static ICgroupManager? ForMountsInside(ICgroupManager? managed) =>
        managed ?? (RootlessMode.Active ? Choose(ReadLayout(), Environment.GetEnvironmentVariable(OverrideVariable)) : null);

    public static ICgroupManager? Choose(CgroupLayout layout, string? forced, ISyscalls? sys = null)
    {
        switch (forced)
        {
            case "v1":
                return layout.HasV1 ? new CgroupV1Manager(layout.V1Controllers, sys, layout.V2MountPoint, layout.V1Mounts)
                    : throw new MiniRunException($"{OverrideVariable}=v1, but no cgroup v1 hierarchy is mounted");
            case "v2":
                return layout.V2MountPoint is { } v2 ? new CgroupV2Manager(v2, sys)
                    : throw new MiniRunException($"{OverrideVariable}=v2, but no cgroup2 filesystem is mounted");
            case null or "":
                if (layout.HasV1) return new CgroupV1Manager(layout.V1Controllers, sys, layout.V2MountPoint, layout.V1Mounts);
                return layout.V2MountPoint is { } mount ? new CgroupV2Manager(mount, sys) : null;
            default:
                throw new MiniRunException($"{OverrideVariable}={forced}: use v1 or v2");
        }
    }
}
