using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MiniRun.Native;

namespace MiniRun.Networking.Cni;

/// <summary>One ADD remembered: the conflist it used, the attachment and the final result (libcni's cniCacheV1).</summary>
public sealed record CachedAttachment(NetworkConfigList Config, RuntimeConf Runtime, JsonObject Result);

/// <summary>
/// The results of ADD kept in the store (libcni's cache, results/NETWORK-CONTAINERID-IFNAME), because CHECK and DEL
/// hand them to the plugins as prevResult, and a DEL after a crash (or after the network's conflist changed) needs the
/// very config and namespace the ADD used. Written atomically; removed when DEL succeeds.
/// </summary>
public sealed class CniResultCache(string directory)
{
    public string Directory => directory;

    /// <summary>The record's file; the names are checked first, as they come from a command line and make a path.</summary>
    public string FileOf(string network, string containerId, string ifName)
    {
        if (!NetworkConfigList.IsValidName(network)) throw new InvalidInputException($"\"{network}\" is not a network name: letters, digits, _ . - only");
        new RuntimeConf(containerId, "", ifName).Validate();
        return Path.Combine(directory, $"{network}-{containerId}-{ifName}");
    }

    public void Write(NetworkConfigList config, RuntimeConf runtime, JsonObject result)
    {
        System.IO.Directory.CreateDirectory(directory);
        var record = new JsonObject
        {
            ["kind"] = "cniCacheV1",
            ["containerId"] = runtime.ContainerId,
            ["ifName"] = runtime.IfName,
            ["networkName"] = config.Name,
            ["netns"] = runtime.NetNs,
            ["config"] = config.Document.DeepClone(),
            ["result"] = result.DeepClone(),
        };
        if (runtime.CapabilityArgs is { } capabilities) record["capabilityArgs"] = capabilities.DeepClone();
        AtomicFile.WriteAllBytes(FileOf(config.Name, runtime.ContainerId, runtime.IfName), Encoding.UTF8.GetBytes(record.ToJsonString()), mode: UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    public CachedAttachment? Read(string network, string containerId, string ifName)
    {
        string file = FileOf(network, containerId, ifName);
        if (!File.Exists(file)) return null;
        try
        {
            if (JsonNode.Parse(File.ReadAllText(file)) is JsonObject record && record["config"] is JsonObject config && record["result"] is JsonObject result)
            {
                NetworkConfigList list = NetworkConfigList.FromDocument((JsonObject)config.DeepClone(), file);
                var runtime = new RuntimeConf(containerId, record["netns"]?.ToString() ?? "", ifName, record["capabilityArgs"]?.DeepClone() as JsonObject);
                return new CachedAttachment(list, runtime, (JsonObject)result.DeepClone());
            }
        }
        catch (JsonException) { }
        throw new InvalidInputException($"{file}: not a CNI result record (remove it by hand if the attachment is gone)");
    }

    public void Remove(string network, string containerId, string ifName) => File.Delete(FileOf(network, containerId, ifName));

    /// <summary>Every container ID with a kept result, on any network.</summary>
    public IReadOnlyList<string> Containers()
    {
        if (!System.IO.Directory.Exists(directory)) return [];
        var found = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string file in System.IO.Directory.EnumerateFiles(directory))
        {
            if (file.Contains(".tmp-", StringComparison.Ordinal)) continue;
            try
            {
                if (JsonNode.Parse(File.ReadAllText(file)) is JsonObject record && record["containerId"]?.ToString() is { } id) found.Add(id);
            }
            catch (JsonException) { }
        }
        return [.. found];
    }

    /// <summary>The (network, interface) pairs <paramref name="containerId"/> has a result for, in interface order (eth0 first).</summary>
    public IReadOnlyList<(string Network, string IfName)> AttachmentsOf(string containerId)
    {
        if (!System.IO.Directory.Exists(directory)) return [];
        List<(string, string)> found = [];
        foreach (string file in System.IO.Directory.EnumerateFiles(directory, $"*-{containerId}-*"))
        {
            if (file.Contains(".tmp-", StringComparison.Ordinal)) continue;
            try
            {
                if (JsonNode.Parse(File.ReadAllText(file)) is JsonObject record && record["containerId"]?.ToString() == containerId
                    && record["networkName"]?.ToString() is { } network && record["ifName"]?.ToString() is { } ifName)
                    found.Add((network, ifName));
            }
            catch (JsonException) { }
        }
        return [.. found.OrderBy(a => a.Item2.Length).ThenBy(a => a.Item2, StringComparer.Ordinal)];
    }

    /// <summary>What <paramref name="containerId"/> got on each network it has a result for, in interface order.</summary>
    public IReadOnlyList<CniAddress> AddressesOf(string containerId)
    {
        List<CniAddress> found = [];
        foreach ((string network, string ifName) in AttachmentsOf(containerId))
            if (Read(network, containerId, ifName) is { } cached) found.Add(CniAddress.From(network, ifName, cached.Result));
        return found;
    }

    /// <summary>The container IDs with a result on <paramref name="network"/> (the network's endpoints).</summary>
    public IReadOnlyList<string> ContainersOn(string network)
    {
        if (!System.IO.Directory.Exists(directory)) return [];
        List<string> found = [];
        foreach (string file in System.IO.Directory.EnumerateFiles(directory, network + "-*"))
        {
            if (file.Contains(".tmp-", StringComparison.Ordinal)) continue;
            try
            {
                if (JsonNode.Parse(File.ReadAllText(file)) is JsonObject record && record["networkName"]?.ToString() == network && record["containerId"] is { } id)
                    found.Add(id.ToString());
            }
            catch (JsonException) { }
        }
        return found;
    }
}
