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
    /// Rootless: the group delegated to the user, if any (<see cref="Delegated"/>); else none, the container staying in
    /// the user's cgroup and its limits refused.</summary>
    /// <param name="sys">the seam every mkdir and write of the cgroup goes through (--explain and --dry-run decorate it).</param>
    public static ICgroupManager? Detect(ISyscalls? sys = null) =>
        RootlessMode.Active
            ? Delegated(ReadLayout(), KernelFiles.TryReadAll("/proc/self/cgroup") ?? "", Syscalls.EffectiveIds.Uid, sys)
            : Choose(ReadLayout(), Environment.GetEnvironmentVariable(OverrideVariable), sys);

    /// <summary>
    /// A rootless user's manager: cgroup v2 rooted at the group delegated to the user (containers in DELEGATED/minirun/&lt;id&gt;,
    /// as crun makes rootless Podman's below user@UID.service), its own processes first moved aside; null when none is
    /// delegated. v1 hierarchies are never the user's: on a hybrid machine only the cgroup2 mount's controllers are.
    /// </summary>
    /// <param name="uid">the user as this process sees it: 0 in the rootless user namespace, where the user's files are root's.</param>
    public static CgroupV2Manager? Delegated(CgroupLayout layout, string procSelfCgroup, int uid, ISyscalls? sys = null)
    {
        CgroupDelegation delegation = CgroupDelegation.Read(layout.V2MountPoint, procSelfCgroup, uid);
        if (delegation.Why is not null || delegation.Directory is null) return null;
        delegation.MoveProcessesAside(sys ?? LinuxSyscalls.Instance);
        return new CgroupV2Manager(layout.V2MountPoint!, sys, delegation.Directory);
    }

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
