using System.Text.RegularExpressions;

namespace MiniRun.Tests.Networking;

/// <summary>
/// The machine's own network as `ip link`, `ip addr` and `iptables-save` show it, less what changes by itself
/// (packet counters, the dump's timestamps, address lifetimes): taken before a test and compared after it.
/// </summary>
public sealed partial record HostNetworkState(string Links, string Addresses, string Rules)
{
    public static HostNetworkState Take() => new(
        Output("ip", "-br", "link"),
        Output("ip", "-br", "addr"),
        Counters().Replace(string.Join('\n', Output("iptables-save").Split('\n').Where(l => !l.StartsWith('#'))), "[]"));

    public void AssertUnchanged()
    {
        HostNetworkState now = Take();
        Assert.Equal(Links, now.Links);
        Assert.Equal(Addresses, now.Addresses);
        Assert.Equal(Rules, now.Rules);
    }

    private static string Output(string program, params string[] args)
    {
        MiniRunCli.Result result = NetworkSandbox.Run(program, args);
        return result.ExitCode == 0 ? result.Stdout : $"({program} failed: {result.Stderr.Trim()})";
    }

    [GeneratedRegex(@"\[\d+:\d+\]")]
    private static partial Regex Counters();
}
