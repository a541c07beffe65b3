namespace MiniRun.Containers;

/// <summary>
/// Another container on a user-defined network this one is on, as its /etc/hosts names it: one line
/// "Address\tName Alias…" (nerdctl keeps peers in /etc/hosts, where Docker answers from its embedded DNS server).
/// </summary>
/// <param name="Address">Its address on that network (IPv4, as CNI's result gives it, without the prefix length).</param>
/// <param name="Name">Its container name.</param>
/// <param name="Aliases">More names for it on that network (its short ID, --network-alias), after the name.</param>
public sealed record HostsPeer(string Address, string Name, IReadOnlyList<string> Aliases);
