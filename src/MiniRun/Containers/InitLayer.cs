using MiniRun.Native;

namespace MiniRun.Containers;

/// <summary>
/// The container's own lowest-but-one layer, as Docker's "-init" layer: the files the runtime provides
/// (/etc/hosts, /etc/hostname, /etc/resolv.conf, /etc/mtab) and the mount points it needs, so that they exist
/// whatever the image holds, without touching the image's shared layers.
/// </summary>
public static class InitLayer
{
    private static readonly string[] MountPoints = ["proc", "sys", "dev", "dev/pts", "dev/shm", "etc"];

    private const string MtabLink = "etc/mtab", MtabTarget = "/proc/mounts";

    /// <summary>The files the layer holds, as (path relative to the layer, content); written with mode 0644.</summary>
    /// <param name="extraHosts">--add-host NAME:IP, appended to /etc/hosts as Docker appends them.</param>
    /// <param name="dns">--dns, --dns-search, --dns-option (<see cref="ContainerResolvConf.Build"/>).</param>
    public static IReadOnlyList<(string Path, string Content)> Files(string hostname, NetworkMode network, IReadOnlyList<string>? extraHosts = null,
        (IReadOnlyList<string> Servers, IReadOnlyList<string> Search, IReadOnlyList<string> Options)? dns = null) =>
    [
        ("etc/hostname", NetworkFiles.Hostname(hostname)),
        ("etc/hosts", network == NetworkMode.Host ? ContainerHostsFile.ForHostNetwork(ContainerHostsFile.ReadHostFile(), extraHosts ?? [])
            : ContainerHostsFile.Build(hostname, [], [], extraHosts ?? [])),
        ("etc/resolv.conf", ContainerResolvConf.Build(ContainerResolvConf.ReadHostFile(network == NetworkMode.Host), network == NetworkMode.Host,
            dns?.Servers ?? [], dns?.Search ?? [], dns?.Options ?? [])),
    ];

    public static void Write(ISyscalls sys, string dir, string hostname, NetworkMode network, IReadOnlyList<string>? extraHosts = null,
        (IReadOnlyList<string> Servers, IReadOnlyList<string> Search, IReadOnlyList<string> Options)? dns = null)
    {
        sys.Explain("the init layer: mount points that must exist whatever the image holds (Docker's -init layer)");
        foreach (string mountPoint in MountPoints) // parents first; the layer is new, so each is one mkdir(2)
            sys.MakeDirectory(Path.Combine(dir, mountPoint), 0x1ed);
        foreach ((string path, string content) in Files(hostname, network, extraHosts, dns))
        {
            sys.Explain($"the init layer: /{path}, provided by the runtime, above the image's layers and below the container's writes");
            sys.WriteFile(Path.Combine(dir, path), content, 0x1a4); // 0644, as Docker's
        }
        sys.Explain("the init layer: /etc/mtab, as programs expect it");
        sys.Symlink(MtabTarget, Path.Combine(dir, MtabLink));
    }
}
