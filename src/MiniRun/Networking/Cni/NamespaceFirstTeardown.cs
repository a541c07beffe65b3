using System.Text.Json.Nodes;

namespace MiniRun.Networking.Cni;

/// <summary>
/// Whether a container's namespace may go before its DELs, and what to wait for then. Deleting a veth pair from inside
/// the namespace (the bridge plugin's DEL) waits on the kernel's RCU grace periods, tens of milliseconds on a small VM;
/// the namespace's last reference dropped instead, the kernel removes every device in it in its cleanup worker, the
/// pair included. That is only right for plugins whose DEL needs nothing inside the namespace: the bridge without its
/// own ipMasq (which finds the addresses to unmasquerade there), host-local, and portmap and firewall (their rules are
/// keyed by the prevResult's addresses). Any other plugin gets its DEL with the namespace, as libcni does it.
/// </summary>
public static class NamespaceFirstTeardown
{
    /// <summary>Every plugin of the list releases what it holds from its config and prevResult alone.</summary>
    public static bool Suffices(NetworkConfigList config) => config.Plugins.All(plugin => plugin["type"]?.ToString() switch
    {
        "bridge" => plugin["ipMasq"]?.GetValueKind() != System.Text.Json.JsonValueKind.True,
        "portmap" or "firewall" => true,
        _ => false,
    });

    /// <summary>The result's host-side interfaces that are not bridges (the veth ends the namespace takes with it).</summary>
    public static IEnumerable<string> HostInterfaces(JsonObject result) =>
        (result["interfaces"] as JsonArray ?? [])
            .OfType<JsonObject>()
            .Where(i => i["sandbox"] is null && i["name"]?.ToString() is { Length: > 0 })
            .Select(i => i["name"]!.ToString());

    /// <summary>
    /// Waits until the kernel's cleanup of the namespace has removed those interfaces (a bridge never goes with it: its
    /// ports do), so that a run that has returned leaves no veth; 5 s at most, which a loaded machine may need.
    /// </summary>
    public static void WaitUntilGone(IEnumerable<string> interfaces)
    {
        string[] waiting = [.. interfaces.Where(name => !Directory.Exists(Path.Combine("/sys/class/net", name, "bridge")))];
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (waiting.Any(name => Directory.Exists(Path.Combine("/sys/class/net", name))) && DateTime.UtcNow < deadline)
            Thread.Sleep(2);
    }
}
