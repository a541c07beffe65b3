namespace MiniRun.Containers;

/// <summary>
/// The container's own lowest-but-one layer, as Docker's "-init" layer: the files the runtime provides
/// (/etc/hosts, /etc/hostname, /etc/resolv.conf, /etc/mtab) and the mount points it needs, so that they exist
/// whatever the image holds, without touching the image's shared layers.
/// </summary>
public static class InitLayer
{
    private static readonly string[] MountPoints = ["proc", "sys", "dev", "dev/pts", "dev/shm", "etc"];

    public static void Write(string dir, string hostname, NetworkMode network)
    {
        foreach (string mountPoint in MountPoints)
            Directory.CreateDirectory(Path.Combine(dir, mountPoint), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        WriteFile(dir, "etc/hostname", hostname + "\n");
        WriteFile(dir, "etc/hosts", Hosts(hostname, network));
        WriteFile(dir, "etc/resolv.conf", ResolvConf());
        File.CreateSymbolicLink(Path.Combine(dir, "etc/mtab"), "/proc/mounts");
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

    private static void WriteFile(string dir, string relative, string content)
    {
        string path = Path.Combine(dir, relative);
        File.WriteAllText(path, content);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
    }
}
