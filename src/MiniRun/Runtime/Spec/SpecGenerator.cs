using MiniRun.Common;
using MiniRun.Containers;
using MiniRun.Sandbox;
using MiniRun.Sandbox.Cgroups;

namespace MiniRun.Runtime.Spec;

/// <summary>
/// A container's record (the image config and `run`'s flags, resolved) → its OCI runtime spec, as containerd's
/// oci.WithImageConfig over Docker's defaults (moby oci/defaults.go, daemon/oci_linux.go) makes it: Docker's
/// capabilities, mounts, namespaces, masked and read-only paths, device allow-list and seccomp profile. A pure
/// function of its inputs (the machine's side comes in as <see cref="SpecHost"/>), cheap enough for every start: no
/// reflection, no JSON unless the seccomp section is asked for.
/// </summary>
public static class SpecGenerator
{
    /// <param name="user">the record's -u resolved against the container's /etc/passwd and /etc/group.</param>
    /// <param name="rootfs">root.path: the merged overlay directory, or "rootfs" in a bundle.</param>
    /// <param name="withSeccomp">write linux.seccomp from the profile (config.json); a start leaves it out and hands
    /// the stage the filter compiled from the same profile (<see cref="Sandbox.Seccomp.SeccompFilters"/>, cached).</param>
    /// <param name="ipc">--ipc shareable or container:NAME resolved (<see cref="ContainerIpc.Resolve"/>): the IPC
    /// namespace joined and the /dev/shm bound; required for container:NAME.</param>
    /// <param name="network">the network namespace to join and the directory of the files bound on /etc (<see cref="ContainerNetworking.Attach"/>);
    /// required for the bridge and container: modes.</param>
    public static OciSpec Generate(ContainerRecord record, ContainerUser user, SpecHost host, string rootfs, bool withSeccomp = false, SharedIpc? ipc = null,
        NetworkJoin? network = null)
    {
        ContainerSecurity security = record.Security;
        ulong capabilities = CapabilitiesOf(record, host);
        List<DeviceRequest> devices = record.Devices.ConvertAll(DeviceRequests.Parse);
        ContainerNamespaces modes = record.Namespaces;
        if (modes.IpcContainer is { } donor && ipc?.NamespacePath is null)
            throw new MiniRunException($"--ipc container:{donor}: that container's IPC namespace was not looked up");
        return new OciSpec
        {
            Process = Process(record, user, capabilities),
            Root = new OciRoot { Path = rootfs, Readonly = security.ReadOnlyRootfs },
            // --uts host: no name of its own to set (Docker leaves it out too).
            Hostname = modes.UtsHost ? null : record.Hostname,
            Mounts = [.. Mounts(security.Privileged, modes, ipc), .. NetworkFileMounts(network), .. record.Mounts.Select(UserMount),
                .. record.Init ? [InitMount(host)] : Array.Empty<OciMount>()],
            Linux = new OciLinux
            {
                Resources = ResourcesSection.From(record.Resources, security.Privileged, devices),
                // Absolute: below each hierarchy's root (config-linux.md "cgroupsPath"), not below minirun's own cgroup.
                CgroupsPath = "/" + CgroupNames.For(record.Id),
                Namespaces = Namespaces(record.Network, modes, ipc, network?.NamespacePath),
                Sysctl = NetworkSysctls(record.Network),
                Devices = security.Privileged ? HostDevices(host.Devices()) : devices.Count > 0 ? devices.ConvertAll(RequestedDevice) : null,
                Seccomp = withSeccomp ? SeccompSection.For(security, capabilities, host.Kernel()) : null,
                MaskedPaths = security.Privileged ? null : [.. ContainerMounts.MaskedPaths],
                ReadonlyPaths = security.Privileged ? null : [.. ContainerMounts.ReadOnlyPaths],
            },
        };
    }

    /// <summary>
    /// Docker's defaults for a network namespace of the container's own (moby's WithSysctls; not host, not a joined
    /// one): any user may bind a port below 1024, and any group open an ICMP echo socket (ping without CAP_NET_RAW).
    /// Rootless leaves the group range out, as Docker does in a user namespace: its bounds must be GIDs mapped there.
    /// </summary>
    private static Dictionary<string, string>? NetworkSysctls(NetworkMode network) => network is NetworkMode.None or NetworkMode.Bridge or NetworkMode.Pasta
        ? RootlessMode.Active ? new() { ["net.ipv4.ip_unprivileged_port_start"] = "0" }
            : new() { ["net.ipv4.ip_unprivileged_port_start"] = "0", ["net.ipv4.ping_group_range"] = "0 2147483647" }
        : null;

    /// <summary>The spec's process alone: what `exec` starts from (the container's namespaces are joined, not made).</summary>
    public static OciProcess Process(ContainerRecord record, ContainerUser user, SpecHost host) => Process(record, user, CapabilitiesOf(record, host));

    private static ulong CapabilitiesOf(ContainerRecord record, SpecHost host) =>
        Capabilities.ForContainer(record.Security.CapAdd, record.Security.CapDrop, record.Security.Privileged, host.LastCapability, host.HeldCapabilities);

    private static OciProcess Process(ContainerRecord record, ContainerUser user, ulong capabilities)
    {
        List<string> names = CapabilityNames(capabilities);
        return new OciProcess
        {
            User = new OciUser { Uid = user.Uid, Gid = user.Gid, AdditionalGids = user.Groups.Count > 0 ? [.. user.Groups] : null },
            Terminal = record.Tty,
            Rlimits = record.Ulimits.Count == 0 ? null
                : record.Ulimits.Select(Ulimits.ToRlimit).Select(r => new PosixRlimit { Type = r.Type, Soft = r.Soft, Hard = r.Hard }).ToList(),
            Args = record.Init ? [InitPath, "--", .. record.Args] : [.. record.Args],
            Env = [.. record.Env],
            Cwd = record.WorkingDir,
            // Docker ≥ 20.10.14: no inheritable set (CVE-2022-24769), so execve of a file with capabilities grants none.
            Capabilities = new LinuxCapabilities { Bounding = names, Effective = names, Permitted = names },
            NoNewPrivileges = record.Security.NoNewPrivileges,
        };
    }

    /// <summary>
    /// "CAP_CHOWN", … for each capability of the set, in Docker's order (TweakCapabilities): its defaults as it lists
    /// them, then every other one by number.
    /// </summary>
    public static List<string> CapabilityNames(ulong capabilities)
    {
        var names = new List<string>();
        ulong listed = 0;
        foreach (string name in Capabilities.DockerDefaults)
        {
            ulong bit = 1UL << Capabilities.Parse(name);
            if ((capabilities & bit) == 0) continue;
            names.Add("CAP_" + name);
            listed |= bit;
        }
        for (int cap = 0; cap < Capabilities.Names.Count; cap++)
            if ((capabilities & ~listed & 1UL << cap) != 0) names.Add("CAP_" + Capabilities.Names[cap]);
        return names;
    }

    /// <summary>
    /// Docker's default mounts (moby oci/defaults.go), in the order MiniRun makes them; /sys and /sys/fs/cgroup
    /// read-only unless --privileged. MiniRun's /etc/hostname, /etc/hosts and /etc/resolv.conf are files of the
    /// container's init layer, not bind mounts. /dev/shm as --ipc has it (moby daemon/oci_linux.go withMounts): a
    /// tmpfs of --shm-size for a private IPC namespace, the host's /dev/shm or a shared one bound, none for "none".
    /// </summary>
    private static List<OciMount> Mounts(bool privileged, ContainerNamespaces modes, SharedIpc? ipc)
    {
        List<string> Options(params string[] options) => privileged ? [.. options] : [.. options, "ro"];
        var mounts = new List<OciMount>
        {
            new() { Destination = "/proc", Type = "proc", Source = "proc", Options = ["nosuid", "noexec", "nodev"] },
            new() { Destination = "/dev", Type = "tmpfs", Source = "tmpfs", Options = ["nosuid", "strictatime", "mode=755", "size=65536k"] },
            // newinstance: the container's ptys are its own, not the host's (devpts.rst).
            new() { Destination = "/dev/pts", Type = "devpts", Source = "devpts",
                // The tty group (5) exists only where the user namespace maps it: not with the one-ID map (Podman drops it too).
                Options = ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", .. RootlessMode.OneId ? Array.Empty<string>() : ["gid=5"]] },
        };
        if (modes.IpcHost || ipc is not null)
            mounts.Add(new() { Destination = "/dev/shm", Type = "bind", Source = ipc?.ShmSource ?? "/dev/shm", Options = ["rbind", "rprivate"] });
        else if (!modes.IpcNone)
            mounts.Add(new()
            {
                Destination = "/dev/shm", Type = "tmpfs", Source = "shm",
                Options = ["nosuid", "noexec", "nodev", "mode=1777", "size=" + TmpfsSize(modes.ShmSize)],
            });
        mounts.Add(new() { Destination = "/dev/mqueue", Type = "mqueue", Source = "mqueue", Options = ["nosuid", "noexec", "nodev"] });
        mounts.Add(new() { Destination = "/sys", Type = "sysfs", Source = "sysfs", Options = Options("nosuid", "noexec", "nodev") });
        mounts.Add(new() { Destination = "/sys/fs/cgroup", Type = "cgroup", Source = "cgroup", Options = Options("nosuid", "noexec", "nodev") });
        return mounts;
    }

    /// <summary>tmpfs(5)'s size=: in KiB when whole ("65536k", as the kernel shows it), else in bytes.</summary>
    private static string TmpfsSize(long bytes) =>
        bytes % 1024 == 0 ? (bytes / 1024).ToString(System.Globalization.CultureInfo.InvariantCulture) + "k" : bytes.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// -v, --mount, --tmpfs as Docker writes them into config.json: a bind (a volume is its _data bound) recursive and
    /// private; a tmpfs noexec, nosuid, nodev unless its options say otherwise.
    /// </summary>
    private static OciMount UserMount(ContainerMount mount) => mount.Type == ContainerMount.Tmpfs
        ? new OciMount
        {
            Destination = mount.Destination, Type = "tmpfs", Source = "tmpfs",
            Options = [.. TmpfsDefaults(mount.Options), .. mount.Options.Split(',', StringSplitOptions.RemoveEmptyEntries), .. mount.ReadOnly ? ["ro"] : Array.Empty<string>()],
        }
        : new OciMount { Destination = mount.Destination, Type = "bind", Source = mount.Source, Options = ["rbind", mount.ReadOnly ? "ro" : "rw", "rprivate"] };

    /// <summary>A bridged container's /etc/hosts, hostname and resolv.conf, bound from its directory as Docker binds them.</summary>
    private static IEnumerable<OciMount> NetworkFileMounts(NetworkJoin? network) => network?.FilesDirectory is not { } directory ? []
        : ContainerNetworking.Files.Select(name => new OciMount
        {
            Destination = "/etc/" + name, Type = "bind", Source = Path.Combine(directory, name), Options = ["rbind", "rprivate"],
        });

    /// <summary>--device: the host's node, made at its path in the container with the host's mode, root's.</summary>
    private static LinuxDevice RequestedDevice(DeviceRequest device) => new()
    {
        Path = device.ContainerPath, Type = device.Type.ToString(), Major = device.Major, Minor = device.Minor, FileMode = device.Mode, Uid = 0, Gid = 0,
    };

    /// <summary>Where --init's binary is in the container, as Docker puts it.</summary>
    public const string InitPath = "/sbin/docker-init";

    /// <summary>--init: the host's init binary bound read-only at <see cref="InitPath"/>, as Docker binds docker-init.</summary>
    private static OciMount InitMount(SpecHost host) => new()
    {
        Destination = InitPath, Type = "bind",
        Source = host.InitBinary() ?? throw new MiniRunException("--init needs an init binary on this machine: apt-get install tini (docker-init), or catatonit"),
        Options = ["bind", "ro", "rprivate"],
    };

    /// <summary>Docker's --tmpfs defaults, each unless the options name it or its opposite.</summary>
    private static IEnumerable<string> TmpfsDefaults(string options)
    {
        string[] given = options.Split(',');
        if (!given.Contains("exec") && !given.Contains("noexec")) yield return "noexec";
        if (!given.Contains("suid") && !given.Contains("nosuid")) yield return "nosuid";
        if (!given.Contains("dev") && !given.Contains("nodev")) yield return "nodev";
    }

    /// <summary>
    /// Docker's: PID, IPC, UTS, mount, a network namespace of its own for --network none (host: the host's), cgroup;
    /// --pid, --ipc and --uts host leave theirs out (the host's), --ipc container:NAME joins that one's by path.
    /// </summary>
    private static List<LinuxNamespace> Namespaces(NetworkMode network, ContainerNamespaces modes, SharedIpc? ipc, string? networkNamespace)
    {
        if (network is NetworkMode.Bridge or NetworkMode.Container or NetworkMode.Pasta && networkNamespace is null)
            throw new MiniRunException($"--network {network.ToString().ToLowerInvariant()}: the container's network namespace was not made");
        var namespaces = new List<LinuxNamespace>(6);
        if (!modes.PidHost) namespaces.Add(new() { Type = "pid" });
        if (!modes.IpcHost) namespaces.Add(new() { Type = "ipc", Path = ipc?.NamespacePath });
        if (!modes.UtsHost) namespaces.Add(new() { Type = "uts" });
        namespaces.Add(new() { Type = "mount" });
        if (network != NetworkMode.Host) namespaces.Add(new() { Type = "network", Path = networkNamespace });
        namespaces.Add(new() { Type = "cgroup" });
        return namespaces;
    }

    /// <summary>--privileged: every device node of the host, as Docker lists them in linux.devices.</summary>
    private static List<LinuxDevice> HostDevices(IReadOnlyList<DeviceNode> nodes)
    {
        var devices = new List<LinuxDevice>(nodes.Count);
        foreach (DeviceNode node in nodes)
            devices.Add(new LinuxDevice
            {
                Path = "/" + node.Path, Type = node.Block ? "b" : "c", Major = node.Major, Minor = node.Minor, FileMode = node.Mode, Uid = 0, Gid = 0,
            });
        return devices;
    }
}
