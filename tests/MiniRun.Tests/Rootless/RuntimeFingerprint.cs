using System.Text.RegularExpressions;

namespace MiniRun.Tests.Rootless;

/// <summary>
/// What a container's process sees of the runtime that made it, printed from inside with busybox alone, one fact a line
/// ("kind: value"), free of the container's ID: its IDs, capability sets, no_new_privs and seccomp, host name,
/// environment, every mount (point, per-mount options, type, superblock options), /dev, limits, umask, working
/// directory, the files the runtime writes (/etc/hosts, resolv.conf, hostname), its cgroups, oom_score_adj, PID and
/// two sysctls of its network namespace. A rootless container's is root's but for
/// <see cref="RootlessOnly"/>, the differences a user namespace cannot avoid.
/// </summary>
public static partial class RuntimeFingerprint
{
    public const string Script = """
        export PATH=/usr/sbin:/usr/bin:/sbin:/bin
        echo "id: $(id)"
        grep -E '^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp|Seccomp_filters):' /proc/self/status | tr -s '\t ' ' ' | sed 's/^/status: /'
        echo "hostname: $(hostname | sed 's/^[0-9a-f]\{12\}$/<id>/')"
        env | sed 's/^HOSTNAME=[0-9a-f]\{12\}$/HOSTNAME=<id>/' | sort | sed 's/^/env: /'
        awk '{ for (i = 7; $i != "-"; i++); print "mount: " $5 " " $6 " " $(i+1) " " ($(i+1) == "overlay" ? "<overlay>" : $(i+3)) }' /proc/self/mountinfo
        for f in /dev/* /dev/pts/*; do stat -c 'dev: %n %F %a %u:%g %t:%T' "$f"; done
        ulimit -a | tr -s ' ' | sed 's/^/ulimit: /'
        echo "umask: $(umask)"
        echo "cwd: $(pwd)"
        for f in /etc/hosts /etc/resolv.conf /etc/hostname; do echo "file: $f $(stat -c '%a %u:%g' $f) $(sed 's/[0-9a-f]\{12\}/<id>/g' $f | tr '\n' '|')"; done
        sed 's/^/cgroup: /' /proc/self/cgroup
        echo "oom_score_adj: $(cat /proc/self/oom_score_adj)"
        echo "pid: $$"
        for s in net/ipv4/ip_unprivileged_port_start net/ipv4/ping_group_range; do echo "sysctl: $s $(tr '\t' ' ' < /proc/sys/$s)"; done
        """;

    /// <summary>The command line (after the image) that prints the fingerprint.</summary>
    public static string[] Command => ["/bin/sh", "-c", Script];

    /// <summary>The devices the runtime gives every container (Docker's), bound from the host's /dev when rootless.</summary>
    private static readonly string[] Devices = ["null", "zero", "full", "random", "urandom", "tty"];

    /// <summary>One difference between root's and rootless's fingerprints that cannot be helped, and why.</summary>
    /// <param name="Rootless">the rootless line as root's would read (null: a line root's has none of), or the line unchanged when not concerned.</param>
    /// <param name="Root">root's line made comparable the same way, or unchanged.</param>
    public sealed record Difference(string Field, string Why, Func<string, string?> Rootless, Func<string, string?> Root);

    /// <summary>
    /// The named fields where a rootless container cannot show what root's shows (the README's rootless section lists
    /// them too), for a user whose host IDs are <paramref name="uid"/>:<paramref name="gid"/> and whose subordinate
    /// range starts at <paramref name="rangeStart"/>. Rootless Podman shows the same.
    /// </summary>
    public static IReadOnlyList<Difference> RootlessOnly(int uid, int gid, uint rangeStart) =>
    [
        // mknod(2) is refused in any user namespace (user_namespaces(7)): /dev/null … are the host's nodes, bind-mounted
        // (runc's and Podman's rootless way), so each is a mount of the host's devtmpfs that root's /dev has not.
        new("mount: /dev/{null,zero,full,random,urandom,tty}", "device nodes bound from the host's /dev: no mknod in a user namespace",
            line => Devices.Any(d => line.StartsWith($"mount: /dev/{d} ", StringComparison.Ordinal)) ? null : line, line => line),
        // The masked files are /dev/null bound over them (Docker's maskedPaths): the host's node rootless, so the mount's type
        // and flags are the host devtmpfs's, not the container's /dev tmpfs.
        new("mount: /proc/{keys,timer_list,…} (masked)", "masked by a bind of /dev/null, which is the host's node rootless",
            line => MaskedFile(line), line => MaskedFile(line)),
        // tmpfs and devpts print uid=, gid= in the initial user namespace's IDs (shmem_show_options, devpts_show_options):
        // a rootless mount is owned by root of the user namespace, the user on the host, and devpts' gid=5 is the range's 4th.
        new("mount: tmpfs uid=,gid= and devpts gid=", "superblock options print the owner as the host sees it: the user, the range",
            line => line.StartsWith("mount: ", StringComparison.Ordinal)
                ? line.Replace($",uid={uid},gid={gid}", "", StringComparison.Ordinal).Replace($",gid={rangeStart + 4},", ",gid=5,", StringComparison.Ordinal)
                : line,
            line => line),
        // The host's nodes are owned by the host's root, which no user namespace of a user can map: the overflow ID
        // (/proc/sys/kernel/overflowuid, 65534) stands for it.
        new("dev: /dev/{null,…} owner", "the host's nodes are owned by the host's root, unmapped: shown as 65534:65534",
            line => Devices.Any(d => line.StartsWith($"dev: /dev/{d} character special file ", StringComparison.Ordinal))
                ? line.Replace(" 65534:65534 ", " 0:0 ", StringComparison.Ordinal) : line,
            line => line),
        // ping_group_range: root's containers get Docker's "0 2147483647"; in a user namespace the bounds must be mapped
        // GIDs, so the kernel's default is kept, "1 0" (host GIDs 1 and 0, unmapped there: printed as 65534 65534).
        new("sysctl: net/ipv4/ping_group_range", "Docker's 0 2147483647 cannot be set in a user namespace; the default 1 0 is host GIDs, shown as 65534 65534",
            line => line == "sysctl: net/ipv4/ping_group_range 65534 65534" ? "sysctl: net/ipv4/ping_group_range 0 2147483647" : line, line => line),
    ];

    /// <summary>The fingerprint's lines, each passed through every difference (null drops it); <paramref name="used"/>
    /// gets the fields of the differences that changed a line.</summary>
    public static List<string> Apply(string output, IReadOnlyList<Difference> differences, bool rootless, ISet<string>? used = null)
    {
        var lines = new List<string>();
        foreach (string original in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string? line = original;
            foreach (Difference difference in differences)
            {
                string? changed = (rootless ? difference.Rootless : difference.Root)(line);
                if (changed != line) used?.Add(difference.Field);
                line = changed;
                if (line is null) break;
            }
            if (line is not null) lines.Add(line);
        }
        return lines;
    }

    // /proc/keys, /proc/timer_list …: only the file's name is compared (a device node bound over a file of /proc).
    private static string MaskedFile(string line) =>
        MaskedProcFile().Match(line) is { Success: true } masked ? $"mount: {masked.Groups[1].Value} <masked>" : line;

    [GeneratedRegex(@"^mount: (/proc/\S+) \S+ (tmpfs|devtmpfs) rw,size=")]
    private static partial Regex MaskedProcFile();
}
