using System.Text.RegularExpressions;

namespace MiniRun.Tests.Networking;

/// <summary>
/// What containers leave in a <see cref="NetworkSandbox"/> and its store: links (by name), addresses, iptables rules
/// and chains, host-local's address records, kept CNI results, and mounts under the store (netns, overlay). Taken once
/// a first container came and went (the bridge and the plugins' base chains are the network's, as docker0 and Docker's
/// chains are) and compared after a container's removal: nothing of that container may remain.
/// </summary>
public sealed partial record SandboxLeftovers(
    IReadOnlySet<string> Links, IReadOnlySet<string> Addresses, IReadOnlySet<string> Rules,
    IReadOnlySet<string> IpamRecords, IReadOnlySet<string> Results, IReadOnlySet<string> Mounts)
{
    public static SandboxLeftovers Take(NetworkSandbox sandbox)
    {
        string store = sandbox.StoreRoot;
        return new SandboxLeftovers(
            Lines(NetworkSandbox.InNetns(sandbox.Pid, "ip", "-o", "link").Stdout).Select(l => LinkName().Match(l).Groups[1].Value).ToHashSet(),
            Lines(NetworkSandbox.InNetns(sandbox.Pid, "ip", "-o", "addr").Stdout).Select(l => AddressOf().Match(l)).Where(m => m.Success)
                .Select(m => $"{m.Groups[1].Value} {m.Groups[2].Value}").ToHashSet(),
            RulesOf(NetworkSandbox.InNetns(sandbox.Pid, "iptables-save").Stdout),
            Files(Path.Combine(store, "networks", "ipam"), f => Path.GetFileName(f) != "lock" && !Path.GetFileName(f).StartsWith("last_reserved_ip", StringComparison.Ordinal)),
            Files(Path.Combine(store, "networks", "results"), _ => true),
            File.ReadAllLines($"/proc/{sandbox.Pid}/mounts").Select(l => l.Split(' ')).Where(f => f[1].StartsWith(store + "/", StringComparison.Ordinal))
                .Select(f => $"{f[0]} {f[1]}").ToHashSet());
    }

    /// <summary>Whether anything of the container whose address is <paramref name="address"/> shows: its rules, its record.</summary>
    public bool Mentions(string address) =>
        Rules.Any(r => Regex.IsMatch(r, $@"\b{Regex.Escape(address)}\b")) || IpamRecords.Any(f => f.EndsWith("/" + address, StringComparison.Ordinal));

    /// <summary>Everything here that <paramref name="baseline"/> has not, and the reverse, in one message (empty: the same).</summary>
    public string DifferenceFrom(SandboxLeftovers baseline)
    {
        List<string> lines = [];
        Compare("link", baseline.Links, Links);
        Compare("address", baseline.Addresses, Addresses);
        Compare("rule", baseline.Rules, Rules);
        Compare("ipam record", baseline.IpamRecords, IpamRecords);
        Compare("CNI result", baseline.Results, Results);
        Compare("mount", baseline.Mounts, Mounts);
        return string.Join('\n', lines);

        void Compare(string what, IReadOnlySet<string> before, IReadOnlySet<string> now)
        {
            lines.AddRange(now.Except(before).Order(StringComparer.Ordinal).Select(x => $"left: {what} {x}"));
            lines.AddRange(before.Except(now).Order(StringComparer.Ordinal).Select(x => $"gone: {what} {x}"));
        }
    }

    public void AssertSameAs(SandboxLeftovers baseline)
    {
        string difference = DifferenceFrom(baseline);
        Assert.True(difference.Length == 0, "not as before the container:\n" + difference);
    }

    /// <summary>"-A" rules and ":" chain declarations, each with its table, counters dropped.</summary>
    private static HashSet<string> RulesOf(string dump)
    {
        HashSet<string> rules = [];
        string table = "";
        foreach (string line in Lines(dump))
        {
            if (line.StartsWith('*')) table = line[1..];
            else if (line.StartsWith("-A ", StringComparison.Ordinal) || line.StartsWith(':')) rules.Add($"{table} {Counters().Replace(line, "").TrimEnd()}");
        }
        return rules;
    }

    private static HashSet<string> Files(string directory, Func<string, bool> keep) =>
        Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Where(keep).Select(f => Path.GetRelativePath(directory, f)).ToHashSet()
            : [];

    private static IEnumerable<string> Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [GeneratedRegex(@"^\d+: ([^:@\s]+)")]
    private static partial Regex LinkName();

    [GeneratedRegex(@"^\d+: (\S+)\s+inet6? (\S+)")]
    private static partial Regex AddressOf();

    [GeneratedRegex(@"\[\d+:\d+\]")]
    private static partial Regex Counters();
}
