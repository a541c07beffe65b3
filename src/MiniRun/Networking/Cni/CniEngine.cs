using System.Text.Json;
using System.Text.Json.Nodes;

namespace MiniRun.Networking.Cni;

/// <summary>
/// Runs a network's plugin list as libcni's CNIConfig does (SPEC.md "Section 4: Plugin delegation" and "Attachment
/// lifecycle"): ADD each plugin in list order, each one's result the next one's prevResult, the last kept in the store;
/// CHECK in order and DEL in reverse order, both with the kept result as prevResult.
/// </summary>
public sealed class CniEngine(CniPluginRunner runner, CniResultCache results)
{
    public CniResultCache Results => results;

    /// <summary>Attaches the container; the final result. A failed ADD is undone by a DEL of the whole list, as the spec asks of a runtime.</summary>
    public JsonObject Add(NetworkConfigList list, RuntimeConf runtime)
    {
        runtime.Validate();
        if (results.Read(list.Name, runtime.ContainerId, runtime.IfName) is not null)
            throw new MiniRunException($"container {runtime.ContainerId} is already attached to network {list.Name} as {runtime.IfName}");
        JsonObject? result = null;
        try
        {
            for (int i = 0; i < list.Plugins.Count; i++)
            {
                string output = runner.Run(list.PluginType(i), CniCommand.Add, runtime, list.PluginConfig(i, result, runtime.CapabilityArgs));
                result = ParseResult(list.PluginType(i), output);
            }
            result ??= new JsonObject { ["cniVersion"] = list.CniVersion };
            results.Write(list, runtime, result);
            return result;
        }
        catch (MiniRunException)
        {
            // Every plugin is asked, even past one that fails: the ADD's error is the one to tell.
            RunDel(list, runtime, prevResult: null, bestEffort: true);
            throw;
        }
    }

    /// <summary>Asks each plugin whether the attachment is still as ADD left it; throws the first plugin's complaint.</summary>
    public void Check(string network, RuntimeConf runtime)
    {
        runtime.Validate();
        CachedAttachment cached = results.Read(network, runtime.ContainerId, runtime.IfName)
            ?? throw new NotFoundException($"container {runtime.ContainerId} is not attached to network {network}");
        RuntimeConf kept = cached.Runtime with { NetNs = runtime.NetNs.Length > 0 ? runtime.NetNs : cached.Runtime.NetNs };
        for (int i = 0; i < cached.Config.Plugins.Count; i++)
            runner.Run(cached.Config.PluginType(i), CniCommand.Check, kept, cached.Config.PluginConfig(i, cached.Result, kept.CapabilityArgs));
    }

    /// <summary>
    /// Detaches the container, with the config, capability arguments and result its ADD kept when there are
    /// (after a crash the conflist given may be gone or changed); the kept result is removed once every plugin agreed.
    /// An empty NetNs is allowed (the container's namespace is gone): plugins then release what they hold outside it.
    /// </summary>
    public void Del(string network, NetworkConfigList? list, RuntimeConf runtime)
    {
        runtime.Validate();
        CachedAttachment? cached = results.Read(network, runtime.ContainerId, runtime.IfName);
        NetworkConfigList config = cached?.Config ?? list ?? throw new NotFoundException($"container {runtime.ContainerId}: no network config and no kept result to detach it with");
        RuntimeConf conf = runtime with { CapabilityArgs = runtime.CapabilityArgs ?? cached?.Runtime.CapabilityArgs };
        RunDel(config, conf, cached?.Result);
        results.Remove(config.Name, runtime.ContainerId, runtime.IfName);
    }

    /// <summary>libcni delNetworkList: reverse order, stopping at the first failure (the kept result stays, for a retry).</summary>
    private void RunDel(NetworkConfigList list, RuntimeConf runtime, JsonObject? prevResult, bool bestEffort = false)
    {
        for (int i = list.Plugins.Count - 1; i >= 0; i--)
        {
            try { runner.Run(list.PluginType(i), CniCommand.Del, runtime, list.PluginConfig(i, prevResult, runtime.CapabilityArgs)); }
            catch (MiniRunException) when (bestEffort) { }
        }
    }

    private static JsonObject? ParseResult(string plugin, string output)
    {
        if (output.Trim().Length == 0) return null;
        try { return JsonNode.Parse(output) as JsonObject ?? throw new MiniRunException($"CNI plugin {plugin} (ADD): its result is not a JSON object"); }
        catch (JsonException) { throw new MiniRunException($"CNI plugin {plugin} (ADD): its result is not JSON"); }
    }
}
