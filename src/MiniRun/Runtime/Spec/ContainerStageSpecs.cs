using MiniRun.Store;
using MiniRun.Containers;
using MiniRun.Native;
using MiniRun.Sandbox;
using MiniRun.Sandbox.Cgroups;
using MiniRun.Sandbox.Seccomp;

namespace MiniRun.Runtime.Spec;

/// <summary>
/// A container of the store → its stages' specs, through the OCI spec: record → <see cref="SpecGenerator"/> → the
/// runtime's facts of this host (cgroup, compiled seccomp filter, keyring, terminal) → <see cref="StagePlan"/>. The one
/// place `run`, the supervisor, the dry run and `exec` get what they send their stage.
/// </summary>
public static class ContainerStageSpecs
{
    /// <summary>
    /// The container's OCI runtime spec: what `run` writes as the config.json of its directory (a bundle whose root.path
    /// is <paramref name="rootfs"/>, the merged directory) and then runs, as a runtime runs a bundle.
    /// </summary>
    /// <param name="store">whose cache holds the seccomp section (beside the compiled filter); null (--dry-run) makes it afresh.</param>
    /// <param name="ipc">--ipc shareable or container:NAME, resolved (<see cref="ContainerIpc.Resolve"/>).</param>
    /// <param name="network">the network namespace and files (<see cref="ContainerNetworking.Attach"/>).</param>
    public static OciSpec Spec(ContainerRecord record, string rootfs, ContainerUser user, StorePaths? store, SharedIpc? ipc = null, NetworkJoin? network = null)
    {
        var host = SpecHost.Current();
        OciSpec spec = SpecGenerator.Generate(record, user, host, rootfs, ipc: ipc, network: network);
        spec.Linux!.Seccomp = SeccompSection.Cached(store, record.Security, StagePlan.CapabilitySet(spec.Process!.Capabilities), host.Kernel());
        return spec;
    }

    /// <summary>The init stage's whole spec from the container's OCI spec; <paramref name="rootfs"/> is the merged directory (--dry-run: where the script mounts it).</summary>
    /// <param name="cgroups">the container's cgroup, which the stage joins and shows at /sys/fs/cgroup (null: none on this host).</param>
    /// <param name="store">whose cache of compiled seccomp filters to use; null (--dry-run) compiles none.</param>
    public static InitSpec Init(OciSpec spec, ContainerRecord record, string rootfs, ContainerUser user, ICgroupManager? cgroups = null,
        CgroupLimits? limits = null, StorePaths? store = null)
    {
        string cgroup = spec.Linux!.CgroupsPath!.TrimStart('/');
        limits ??= ResourcesSection.ToLimits(spec.Linux.Resources);
        return StagePlan.Init(spec, new StageFacts
        {
            RootFs = rootfs,
            NoPivot = record.UseChroot,
            CgroupJoinFiles = cgroups?.SelfJoinFiles(cgroup, limits) ?? [],
            CgroupEarlyJoinDirectory = cgroups?.EarlyJoinDirectory(cgroup, limits),
            Cgroups = CgroupDetector.ForMountsInside(cgroups),
            // The filter compiled from the same profile as linux.seccomp, cached per capability set: not compiled per start.
            SeccompFilter = SeccompFilter(store, record.Security, spec.Process!),
            SessionKeyring = SessionKeyringName(record.Id),
            Home = user.Home,
            LastCapability = SpecHost.Current().LastCapability,
            // -t: a pty of the container's own devpts, its master sent to the runner; else the runner's terminal, if any, is its console.
            Terminal = record.Tty ? null : TerminalPath(),
            ConsoleOverChannel = record.Tty,
        });
    }

    /// <summary>
    /// `exec`'s process: the container's own (capabilities, no_new_privs, seccomp, keyring) with docker exec's
    /// command, -e (over the container's environment), -w and the user already resolved.
    /// </summary>
    public static StageProcess Exec(ContainerRecord record, string rootfs, ContainerUser user, IReadOnlyList<string> command, List<string> env,
        string workingDir, StorePaths store)
    {
        var host = SpecHost.Current();
        OciProcess process = SpecGenerator.Process(record, user, host);
        process.Args = [.. command];
        process.Env = env;
        process.Cwd = workingDir;
        return StagePlan.Process(process, new StageFacts
        {
            RootFs = rootfs,
            SeccompFilter = SeccompFilter(store, record.Security, process),
            SessionKeyring = SessionKeyringName(record.Id),
            Home = user.Home,
            LastCapability = host.LastCapability,
        });
    }

    /// <summary>The filter compiled (or cached) for the process's capability set; none with --dry-run (no store).</summary>
    private static SeccompFilter? SeccompFilter(StorePaths? store, ContainerSecurity security, OciProcess process) =>
        SeccompFilters.For(store, security.Privileged, security.SeccompUnconfined, security.SeccompProfile, StagePlan.CapabilitySet(process.Capabilities)); // no store (--dry-run): compiled, not cached

    /// <summary>runc's name for a container's session keyring: exec joins the one its PID 1 made.</summary>
    public static string SessionKeyringName(string containerId) => "_ses." + containerId;

    /// <summary>The terminal on stdin (/dev/pts/N), or null when stdin is not one.</summary>
    private static string? TerminalPath()
    {
        if (!KernelFiles.IsTerminal(0)) return null;
        string? target = new FileInfo("/proc/self/fd/0").LinkTarget;
        return target is not null && target.StartsWith("/dev/", StringComparison.Ordinal) ? target : null;
    }
}
