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
    public static IReadOnlyList<(string Path, string Content)> Files(string hostname, NetworkMode network, IReadOnlyList<string>? extraHosts = null) =>
    [
        ("etc/hostname", hostname + "\n"),
        ("etc/hosts", Hosts(hostname, network) + string.Concat((extraHosts ?? []).Select(ExtraHosts.Line))),
        ("etc/resolv.conf", ResolvConf()),
    ];

    public static void Write(ISyscalls sys, string dir, string hostname, NetworkMode network, IReadOnlyList<string>? extraHosts = null)
    {
        sys.Explain("the init layer: mount points that must exist whatever the image holds (Docker's -init layer)");
        foreach (string mountPoint in MountPoints) // parents first; the layer is new, so each is one mkdir(2)
            sys.MakeDirectory(Path.Combine(dir, mountPoint), 0x1ed);
        foreach ((string path, string content) in Files(hostname, network, extraHosts))
        {
            sys.Explain($"the init layer: /{path}, provided by the runtime, above the image's layers and below the container's writes");
            sys.WriteFile(Path.Combine(dir, path), content, 0x1a4); // 0644, as Docker's
        }
        sys.Explain("the init layer: /etc/mtab, as programs expect it");
        sys.Symlink(MtabTarget, Path.Combine(dir, MtabLink));
    }

    /// <summary>With the host's network the host's names apply (Docker copies /etc/hosts); otherwise only localhost.</summary>
    public static string Hosts(string hostname, NetworkMode network)
    {
        if (network == NetworkMode.Host && File.Exists("/etc/hosts")) return File.ReadAllText("/etc/hosts");
        return "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\n" +
               $"ff00::1\tip6-allnodes\nff00::2\tip6-allrouters\n127.0.1.1\t{hostname}\n";
    }

    private static string ResolvConf() =>
        File.Exists("/etc/resolv.conf") ? File.ReadAllText("/etc/resolv.conf") : "nameserver 8.8.8.8\n";
}
