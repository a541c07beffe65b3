using MiniRun.Native;

namespace MiniRun.Containers;

/// <summary>
/// The files a container's /etc/hosts, /etc/hostname and /etc/resolv.conf are bind mounts of (Docker keeps them in
/// the container's directory too): made once, then rewritten in place while it runs, as peers join and leave.
/// </summary>
public static class NetworkFiles
{
    /// <summary>/etc/hostname's content: the name and a newline, as Docker writes it.</summary>
    public static string Hostname(string hostname) => hostname + "\n";

    /// <summary>Makes the file (it must not exist), mode 0644 as Docker's.</summary>
    public static void Create(ISyscalls sys, string path, string content)
    {
        sys.Explain($"{Path.GetFileName(path)}: the container's /etc/{Path.GetFileName(path)}, bind-mounted from here so that it can change while it runs");
        sys.WriteFile(path, content, 0x1a4);
    }

    /// <summary>
    /// New content for a file the running container has bind-mounted: truncated and written through the same inode,
    /// never a new file renamed over it (the mount pins the inode: it would keep showing the old one). A reader may see
    /// the file empty for a moment, as with Docker's own rewrite (os.WriteFile truncates too).
    /// </summary>
    public static void RewriteInPlace(ISyscalls sys, string path, string content)
    {
        sys.Explain($"{Path.GetFileName(path)}: rewritten in place, so the container's bind mount of it sees the change");
        sys.RewriteFile(path, content);
    }
}
