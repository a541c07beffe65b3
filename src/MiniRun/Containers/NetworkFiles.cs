using MiniRun.Networking;
using MiniRun.Native;
using MiniRun.Networking.Cni;

namespace MiniRun.Containers;

/// <summary>A bridged container's /etc/hosts, /etc/hostname and /etc/resolv.conf, as Docker writes them.</summary>
public static class NetworkFiles
{
    /// <summary>Written anew in place: the bind mount in a running container holds the file's inode, a rename would leave it the old one.</summary>
    public static void Rewrite(ISyscalls sys, string path, string content)
    {
        if (sys.LStat(path) is null) sys.WriteFile(path, content, 0x1a4);
        else if (sys is LinuxSyscalls) File.WriteAllText(path, content);
    }

    public static string Hosts(ContainerRecord record, IReadOnlyList<CniAddress> own, IReadOnlyList<(string Address, string Name, IReadOnlyList<string> Aliases)> peers)
    {
        var text = new System.Text.StringBuilder();
        text.Append("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n");
        foreach (string extra in record.ExtraHosts) text.Append(ExtraHosts.Line(extra));
        if (own.FirstOrDefault(a => a.Address.Length > 0) is { } first) text.Append($"{first.Address}\t{record.Hostname}\n");
        foreach ((string address, string name, IReadOnlyList<string> aliases) in peers)
            text.Append($"{address}\t{string.Join(' ', [name, .. aliases])}\n");
        return text.ToString();
    }

    public static string ResolvConf(ContainerRecord record)
    {
        string host = File.Exists("/etc/resolv.conf") ? File.ReadAllText("/etc/resolv.conf") : "";
        var lines = host.Split('\n').Where(l => !(l.StartsWith("nameserver", StringComparison.Ordinal) &&
            l.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries) is [_, var ns, ..] && (ns.StartsWith("127.", StringComparison.Ordinal) || ns == "::1"))).ToList();
        if (!lines.Any(l => l.StartsWith("nameserver", StringComparison.Ordinal))) lines.AddRange(["nameserver 8.8.8.8", "nameserver 8.8.4.4"]);
        return string.Join('\n', lines.Where(l => l.Length > 0)) + "\n";
    }
}
