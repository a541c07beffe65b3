using System.Text.Json;
using MiniRun.Native;

namespace MiniRun.Sandbox;

/// <summary>
/// The init stage's side of the spec: read from a <see cref="JsonDocument"/>, not through generated metadata, which
/// took the freshly started stage about a millisecond to build (NativeAOT, first use) and made it the last one ready.
/// The parent writes the spec with <see cref="InitSpecWriter"/>; a round-trip test keeps the two in step.
/// </summary>
internal static class InitSpecReader
{
    public static InitSpec Read(ReadOnlySpan<byte> json)
    {
        try
        {
            return ReadDocument(json);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new MiniRunException("init: malformed spec from the parent: " + e.Message.ReplaceLineEndings(" "));
        }
    }

    private static InitSpec ReadDocument(ReadOnlySpan<byte> json)
    {
        JsonElement spec = Images.ImageJson.ParseElement(json, maxDepth: 64);
        return new InitSpec
        {
            RootFs = Text(spec, nameof(InitSpec.RootFs)),
            UseChroot = Flag(spec, nameof(InitSpec.UseChroot)),
            Hostname = Text(spec, nameof(InitSpec.Hostname)),
            IsolateNetwork = Flag(spec, nameof(InitSpec.IsolateNetwork)),
            Namespaces = (NamespaceFlags)Member(spec, nameof(InitSpec.Namespaces)).GetInt32(),
            CgroupJoinFiles = Texts(spec, nameof(InitSpec.CgroupJoinFiles)),
            Mounts = Records(spec, nameof(InitSpec.Mounts), MountOf),
            Devices = Records(spec, nameof(InitSpec.Devices), d => new DeviceNode(Text(d, nameof(DeviceNode.Path)), Member(d, nameof(DeviceNode.Major)).GetUInt32(),
                Member(d, nameof(DeviceNode.Minor)).GetUInt32(), Member(d, nameof(DeviceNode.Mode)).GetUInt32(), Flag(d, nameof(DeviceNode.Block)))),
            Symlinks = Records(spec, nameof(InitSpec.Symlinks), s => new SymlinkSpec(Text(s, nameof(SymlinkSpec.Path)), Text(s, nameof(SymlinkSpec.Target)))),
            RootMounts = Records(spec, nameof(InitSpec.RootMounts), MountOf),
            Uid = Member(spec, nameof(InitSpec.Uid)).GetUInt32(),
            Gid = Member(spec, nameof(InitSpec.Gid)).GetUInt32(),
            Groups = Records(spec, nameof(InitSpec.Groups), g => g.GetUInt32()),
            Capabilities = Member(spec, nameof(InitSpec.Capabilities)).GetUInt64(),
            LastCapability = Member(spec, nameof(InitSpec.LastCapability)).GetInt32(),
            NoNewPrivileges = Flag(spec, nameof(InitSpec.NoNewPrivileges)),
            WorkingDir = Text(spec, nameof(InitSpec.WorkingDir)),
            Args = Texts(spec, nameof(InitSpec.Args)),
            Env = Texts(spec, nameof(InitSpec.Env)),
        };
    }

    private static MountRecord MountOf(JsonElement m) =>
        new(Text(m, nameof(MountRecord.Type)), Text(m, nameof(MountRecord.Source)), Text(m, nameof(MountRecord.Target)),
            (MountFlags)Member(m, nameof(MountRecord.Flags)).GetUInt64(),
            m.TryGetProperty(nameof(MountRecord.Data), out JsonElement data) && data.ValueKind == JsonValueKind.String ? data.GetString() : null);

    private static JsonElement Member(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) ? value : throw new MiniRunException($"init: the spec has no {name}");

    private static string Text(JsonElement element, string name) => Member(element, name).GetString() ?? throw new MiniRunException($"init: the spec's {name} is null");

    private static bool Flag(JsonElement element, string name) => Member(element, name).GetBoolean();

    private static List<string> Texts(JsonElement element, string name) => Records(element, name, e => e.GetString() ?? "");

    // A loop, not Select().ToList(): each generic LINQ instantiation costs a freshly started stage its first-use lookups.
    private static List<T> Records<T>(JsonElement element, string name, Func<JsonElement, T> read)
    {
        JsonElement array = Member(element, name);
        var list = new List<T>(array.GetArrayLength());
        foreach (JsonElement item in array.EnumerateArray()) list.Add(read(item));
        return list;
    }
}
