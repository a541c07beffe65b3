using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace MiniRun.Networking.Cni;

/// <summary>
/// A network as CNI knows it (SPEC.md "Section 1: Network configuration format"): {"cniVersion", "name",
/// "plugins": [...]}, each plugin an object with at least "type". Kept as a JSON tree, so fields MiniRun does not know
/// (a third-party plugin's own, or another runtime's such as nerdctl's "nerdctlID") are written back unchanged.
/// </summary>
public sealed partial class NetworkConfigList
{
    private NetworkConfigList(JsonObject document, string name, string cniVersion, IReadOnlyList<JsonObject> plugins)
    {
        Document = document;
        Name = name;
        CniVersion = cniVersion;
        Plugins = plugins;
    }

    /// <summary>The whole conflist, unknown fields included.</summary>
    public JsonObject Document { get; }
    public string Name { get; }
    public string CniVersion { get; }
    public IReadOnlyList<JsonObject> Plugins { get; }

    /// <summary>SPEC.md: a network name is alphanumeric plus _ . - (Docker's rule too: it starts with a letter or digit).</summary>
    public static bool IsValidName(string name) => NamePattern().IsMatch(name);

    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")]
    private static partial Regex NamePattern();

    public static NetworkConfigList Parse(string json, string source)
    {
        JsonNode? root;
        try { root = JsonNode.Parse(json); }
        catch (JsonException e) { throw new InvalidInputException($"{source}: not JSON ({e.Message.ReplaceLineEndings(" ")})"); }
        return FromDocument(root as JsonObject ?? throw new InvalidInputException($"{source}: a conflist is a JSON object"), source);
    }

    /// <summary>The conflist <paramref name="document"/> is, checked as libcni's ConfListFromBytes checks it.</summary>
    public static NetworkConfigList FromDocument(JsonObject document, string source)
    {
        string name = Text(document, "name") ?? throw new InvalidInputException($"{source}: the conflist has no \"name\"");
        if (!IsValidName(name)) throw new InvalidInputException($"{source}: \"{name}\" is not a network name: letters, digits, _ . - only");
        string version = Text(document, "cniVersion") ?? throw new InvalidInputException($"{source}: the conflist has no \"cniVersion\"");
        if (document["plugins"] is not JsonArray array || array.Count == 0)
            throw new InvalidInputException($"{source}: the conflist has no \"plugins\"");
        List<JsonObject> plugins = [];
        foreach (JsonNode? plugin in array)
        {
            if (plugin is not JsonObject conf || Text(conf, "type") is null)
                throw new InvalidInputException($"{source}: each of \"plugins\" is an object with a \"type\"");
            plugins.Add(conf);
        }
        return new NetworkConfigList(document, name, version, plugins);
    }

    public byte[] ToBytes() => Encoding.UTF8.GetBytes(Document.ToJsonString(Indented) + "\n");

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>
    /// What plugin <paramref name="index"/> reads on stdin (libcni buildOneConfig and injectRuntimeConfig): its own
    /// object with the list's name and cniVersion, the previous plugin's result as prevResult, and runtimeConfig
    /// holding each capability argument the plugin's "capabilities" asks for.
    /// </summary>
    public byte[] PluginConfig(int index, JsonObject? prevResult, JsonObject? capabilityArgs)
    {
        var conf = (JsonObject)Plugins[index].DeepClone();
        conf["name"] = Name;
        conf["cniVersion"] = CniVersion;
        conf.Remove("prevResult");
        if (prevResult is not null) conf["prevResult"] = prevResult.DeepClone();
        var runtimeConfig = new JsonObject();
        if (conf["capabilities"] is JsonObject capabilities && capabilityArgs is not null)
            foreach ((string capability, JsonNode? wanted) in capabilities)
                if (wanted is JsonValue on && on.TryGetValue(out bool enabled) && enabled && capabilityArgs[capability] is { } value)
                    runtimeConfig[capability] = value.DeepClone();
        if (runtimeConfig.Count > 0) conf["runtimeConfig"] = runtimeConfig;
        return Encoding.UTF8.GetBytes(conf.ToJsonString());
    }

    /// <summary>The plugin's "type".</summary>
    public string PluginType(int index) => Text(Plugins[index], "type")!;

    private static string? Text(JsonObject json, string name) =>
        json[name] is JsonValue value && value.TryGetValue(out string? text) && text.Length > 0 ? text : null;
}
