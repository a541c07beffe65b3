using MiniRun.Explain;

namespace MiniRun.Networking;

/// <summary>
/// One iptables rule of a network's own: its table, its chain, whether it goes first in the chain (-I: before a host's
/// own DROP or REJECT rules) or last (-A), its matches and target in the order `iptables -S` prints them, and what it is
/// for (--explain says it).
/// </summary>
public sealed record IptablesRule(string Table, string Chain, bool First, IReadOnlyList<string> Specification, string Purpose)
{
    /// <summary>iptables' arguments (argv[0] included) that add the rule (-I or -A), that delete it (-D).</summary>
    public string[] Add => ["iptables", "-w", "-t", Table, First ? "-I" : "-A", Chain, .. Specification];
    public string[] Delete => ["iptables", "-w", "-t", Table, "-D", Chain, .. Specification];

    /// <summary>The line `iptables -S` prints for it: words with spaces in double quotes (the comment).</summary>
    public string Listed => $"-A {Chain} " + string.Join(' ', Specification.Select(w => w.Contains(' ') ? $"\"{w}\"" : w));

    /// <summary>For --explain: the command that makes it by hand, once (-C first).</summary>
    public string Command =>
        $"iptables -t {Table} -C {Chain} {ShellQuote.Join(Specification)} || iptables -t {Table} {(First ? "-I" : "-A")} {Chain} {ShellQuote.Join(Specification)}";
}
