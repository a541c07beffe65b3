using MiniRun.Containers;
using MiniRun.Images;

namespace MiniRun.Runtime.Spec;

/// <summary>
/// Where each field of a container's config.json came from: the image's config, a flag of `run`, or Docker's defaults
/// (what containerd's oci.WithImageConfig and moby's defaults contribute), for --explain and --dry-run. Read off the
/// record and the image: a flag that repeats the image's value is shown as the image's.
/// </summary>
public static class SpecOrigins
{
    public static string Describe(OciSpec spec, ContainerRecord record, ContainerConfig? image)
    {
        image ??= new ContainerConfig();
        var lines = new List<string> { "the container's OCI runtime spec (runtime-spec config.md), as a runtime reads it from a bundle; its fields come from:" };
        void Field(string name, string origin) => lines.Add($"  {name,-27} {origin}");

        Field("root.path", "the overlay's merged directory" + (record.Security.ReadOnlyRootfs ? ", readonly: --read-only" : ""));
        Field("process.args", Args(record.Args, image));
        Field("process.env", Env(record.Env, image.Env ?? []));
        Field("process.cwd", record.WorkingDir == (string.IsNullOrEmpty(image.WorkingDir) ? "/" : image.WorkingDir)
            ? string.IsNullOrEmpty(image.WorkingDir) ? "\"/\": the image sets no WorkingDir" : "the image's WorkingDir"
            : "-w/--workdir");
        OciUser user = spec.Process!.User;
        string name = record.User.Length == 0 ? "root (neither -u nor the image's User)" : record.User == (image.User ?? "") ? $"the image's User \"{record.User}\"" : $"-u \"{record.User}\"";
        Field("process.user", $"{name} → {user.Uid}:{user.Gid}" + (user.AdditionalGids is { Count: > 0 } g ? $" groups {string.Join(',', g)}" : "") +
            " through the container's /etc/passwd and /etc/group");
        ContainerSecurity security = record.Security;
        Field("process.capabilities", security.Privileged ? "--privileged: every capability"
            : "Docker's default set" + Flags(("--cap-add", security.CapAdd), ("--cap-drop", security.CapDrop)));
        if (security.NoNewPrivileges) Field("process.noNewPrivileges", "--security-opt no-new-privileges");
        ContainerNamespaces modes = record.Namespaces;
        Field("hostname", modes.UtsHost ? "none: --uts host, the host's name"
            : record.Hostname == record.Id[..Math.Min(12, record.Id.Length)] ? "the container ID's first 12 characters" : "--hostname");
        Field("mounts", "Docker's: /proc, /dev, /dev/pts, /dev/shm, /dev/mqueue, /sys, /sys/fs/cgroup" + (security.Privileged ? "" : " (ro)") + Shm(modes));
        Field("linux.namespaces", "Docker's: " + string.Join(", ", (spec.Linux?.Namespaces ?? []).Select(n => n.Type).Where(t => t != "network")) +
            record.Network switch
            {
                NetworkMode.None => ", network: --network none",
                NetworkMode.Bridge => $", network: joined by path, the namespace minirun made and attached to {string.Join(", ", record.Networks.Select(n => n.Name))} (CNI)",
                NetworkMode.Container => $", network: joined by path, --network container:{record.NetworkContainer![..12]}'s",
                NetworkMode.Pasta => ", network: joined by path, the namespace minirun made and pasta connects to the host's (user-mode)",
                _ => "; the host's network: --network host",
            } + HostModes(modes));
        Field("linux.cgroupsPath", "minirun's cgroup, named after the container ID");
        Field("linux.resources", Resources(spec.Linux?.Resources));
        Field("linux.seccomp", security.Privileged ? "none: --privileged" : security.SeccompUnconfined ? "none: --security-opt seccomp=unconfined"
            : security.SeccompProfile is not null ? "--security-opt seccomp=FILE, the rules for this capability set and kernel"
            : "Docker's default profile, the rules for this capability set and kernel");
        if (!security.Privileged) Field("maskedPaths, readonlyPaths", "Docker's (moby oci/defaults.go)");
        return string.Join('\n', lines);
    }

    /// <summary>Where /dev/shm comes from when --ipc or --shm-size chose.</summary>
    private static string Shm(ContainerNamespaces modes) =>
        modes.IpcHost ? "; /dev/shm the host's: --ipc host" : modes.IpcNone ? "; no /dev/shm: --ipc none"
        : modes.IpcShareable ? "; /dev/shm a tmpfs on the host, for others to join: --ipc shareable"
        : modes.IpcContainer is { } donor ? $"; /dev/shm {donor}'s: --ipc container:{donor}"
        : modes.ShmSize != ContainerNamespaces.DefaultShmSize ? $"; /dev/shm of {modes.ShmSize} bytes: --shm-size" : "";

    /// <summary>The namespaces left to the host's, or joined, by --pid, --ipc and --uts.</summary>
    private static string HostModes(ContainerNamespaces modes)
    {
        var host = new List<string>();
        if (modes.PidHost) host.Add("pid");
        if (modes.IpcHost) host.Add("ipc");
        if (modes.UtsHost) host.Add("uts");
        return (host.Count > 0 ? $"; the host's {string.Join(", ", host)}: --{string.Join(", --", host)} host" : "")
            + (modes.IpcContainer is { } donor ? $"; ipc joined: --ipc container:{donor}" : "");
    }

    private static string Args(IReadOnlyList<string> args, ContainerConfig image)
    {
        List<string> entrypoint = image.Entrypoint ?? [], cmd = image.Cmd ?? [];
        if (args.SequenceEqual(entrypoint.Concat(cmd))) return "the image's " + (entrypoint.Count > 0 ? cmd.Count > 0 ? "Entrypoint and Cmd" : "Entrypoint" : "Cmd");
        if (entrypoint.Count > 0 && args.Take(entrypoint.Count).SequenceEqual(entrypoint)) return "the image's Entrypoint, then the command line's arguments";
        return "the command line (--entrypoint and/or the arguments after the image)";
    }

    private static string Env(IReadOnlyList<string> env, List<string> image)
    {
        int fromImage = env.Count(image.Contains);
        int hostname = env.Count(e => e.StartsWith("HOSTNAME=", StringComparison.Ordinal) && !image.Contains(e));
        int flags = env.Count - fromImage - hostname;
        return $"the image's Env ({fromImage})" + (flags > 0 ? $", -e ({flags})" : "") + (hostname > 0 ? ", HOSTNAME as Docker sets it" : "");
    }

    private static string Flags(params (string Flag, List<string> Values)[] flags)
    {
        string text = string.Join("", flags.Where(f => f.Values.Count > 0).Select(f => $", {f.Flag} {string.Join(',', f.Values)}"));
        return text;
    }

    private static string Resources(LinuxResources? resources)
    {
        var set = new List<string>();
        if (resources?.Memory?.Limit is { } memory) set.Add($"memory.limit {memory}: --memory");
        if (resources?.Pids is { Limit: var pids }) set.Add($"pids.limit {pids}: --pids-limit");
        if (resources?.Cpu?.Quota is { } quota) set.Add($"cpu.quota {quota}: --cpus");
        if (resources?.Cpu?.Shares is { } shares) set.Add($"cpu.shares {shares}: --cpu-shares");
        string devices = "devices: Docker's allow-list";
        return set.Count == 0 ? devices + "; no limits (no --memory, --cpus, --pids-limit)" : string.Join("; ", set.Append(devices));
    }
}
