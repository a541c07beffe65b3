using System.Text.Json;
using MiniRun.Native;
using MiniRun.Sandbox.Seccomp;

namespace MiniRun.Sandbox;

/// <summary>
/// The init stage's side of the spec, read token by token with a <see cref="Utf8JsonReader"/>: no generated metadata
/// (about a millisecond to build in a freshly started stage, NativeAOT's first use) and no JsonDocument (whose pooled
/// arrays cost a first use of their own), on the stage's way to the container's start.
/// The parent writes the spec with <see cref="InitSpecWriter"/>; a round-trip test keeps the two in step.
/// </summary>
internal static class InitSpecReader
{
    public static InitSpec Read(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 16 });
            InitSpec spec = ReadSpec(ref reader);
            if (reader.Read()) throw new JsonException("more after the spec"); // trailing text other than white space throws first
            return spec;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new MiniRunException("init: malformed spec from the parent: " + UserMessages.Detail(e));
        }
    }

    private static InitSpec ReadSpec(ref Utf8JsonReader reader)
    {
        Start(ref reader, JsonTokenType.StartObject);
        string? rootFs = null, hostname = null, workingDir = null, sessionKeyring = null;
        SeccompFilter? seccompFilter = null;
        List<string>? args = null, env = null;
        bool useChroot = false, isolateNetwork = false, noNewPrivileges = false, cgroupNamespace = true, inUserNamespace = false, consoleOverChannel = false;
        NamespaceFlags namespaces = 0;
        uint uid = 0, gid = 0;
        ulong capabilities = 0, inheritable = 0, ambient = 0;
        uint umask = StageProcess.DefaultUmask;
        List<ResourceLimit> limits = [];
        int lastCapability = 0;
        List<string> cgroupJoinFiles = [], shorthands = [];
        string? cgroupEarlyJoin = null;
        List<MountRecord> mounts = [], rootMounts = [], cgroupMounts = [];
        List<DeviceNode> devices = [];
        List<SymlinkSpec> symlinks = [];
        List<KernelSetting> kernelSettings = [];
        MountFlags rootPropagation = MountFlags.None;
        List<NamespacePath> joins = [];
        string? consoleSocket = null;
        List<uint> groups = [];
        while (NextMember(ref reader) is { } name)
        {
            switch (name)
            {
                case nameof(InitSpec.RootFs): rootFs = Text(ref reader); break;
                case nameof(InitSpec.UseChroot): useChroot = reader.GetBoolean(); break;
                case nameof(InitSpec.Hostname): hostname = Text(ref reader); break;
                case nameof(InitSpec.IsolateNetwork): isolateNetwork = reader.GetBoolean(); break;
                case nameof(InitSpec.Namespaces): namespaces = (NamespaceFlags)reader.GetInt32(); break;
                case nameof(InitSpec.CgroupNamespace): cgroupNamespace = reader.GetBoolean(); break;
                case nameof(InitSpec.InUserNamespace): inUserNamespace = reader.GetBoolean(); break;
                case nameof(InitSpec.ConsoleOverChannel): consoleOverChannel = reader.GetBoolean(); break;
                case nameof(InitSpec.CgroupJoinFiles): cgroupJoinFiles = Items<string>(ref reader, Text); break;
                case nameof(InitSpec.ExplainShorthands): shorthands = Items<string>(ref reader, Text); break;
                case nameof(InitSpec.CgroupEarlyJoinDirectory): cgroupEarlyJoin = Text(ref reader); break;
                case nameof(InitSpec.CgroupMounts): cgroupMounts = Items<MountRecord>(ref reader, Mount); break;
                case nameof(InitSpec.Mounts): mounts = Items<MountRecord>(ref reader, Mount); break;
                case nameof(InitSpec.Devices): devices = Items<DeviceNode>(ref reader, Device); break;
                case nameof(InitSpec.Symlinks): symlinks = Items<SymlinkSpec>(ref reader, Symlink); break;
                case nameof(InitSpec.JoinNamespaces): joins = Items<NamespacePath>(ref reader, Join); break;
                case nameof(InitSpec.RootPropagation): rootPropagation = (MountFlags)reader.GetUInt64(); break;
                case nameof(InitSpec.KernelSettings): kernelSettings = Items<KernelSetting>(ref reader, Setting); break;
                case nameof(InitSpec.RootMounts): rootMounts = Items<MountRecord>(ref reader, Mount); break;
                case nameof(InitSpec.ConsoleSocket): consoleSocket = Text(ref reader); break;
                case nameof(StageProcess.Uid): uid = reader.GetUInt32(); break;
                case nameof(StageProcess.Gid): gid = reader.GetUInt32(); break;
                case nameof(StageProcess.Groups): groups = Items(ref reader, (ref Utf8JsonReader item) => item.GetUInt32()); break;
                case nameof(StageProcess.Capabilities): capabilities = reader.GetUInt64(); break;
                case nameof(StageProcess.InheritableCapabilities): inheritable = reader.GetUInt64(); break;
                case nameof(StageProcess.Umask): umask = reader.GetUInt32(); break;
                case nameof(StageProcess.AmbientCapabilities): ambient = reader.GetUInt64(); break;
                case nameof(StageProcess.ResourceLimits): limits = Items<ResourceLimit>(ref reader, Limit); break;
                case nameof(StageProcess.LastCapability): lastCapability = reader.GetInt32(); break;
                case nameof(StageProcess.NoNewPrivileges): noNewPrivileges = reader.GetBoolean(); break;
                case nameof(StageProcess.SessionKeyring): sessionKeyring = Text(ref reader); break;
                case nameof(StageProcess.SeccompFilter): seccompFilter = Filter(ref reader); break;
                case nameof(StageProcess.WorkingDir): workingDir = Text(ref reader); break;
                case nameof(StageProcess.Args): args = Items<string>(ref reader, Text); break;
                case nameof(StageProcess.Env): env = Items<string>(ref reader, Text); break;
                default: reader.Skip(); break;
            }
        }
        return new InitSpec
        {
            RootFs = rootFs ?? throw Missing(nameof(InitSpec.RootFs)),
            UseChroot = useChroot,
            Hostname = hostname ?? throw Missing(nameof(InitSpec.Hostname)),
            IsolateNetwork = isolateNetwork,
            Namespaces = namespaces,
            CgroupNamespace = cgroupNamespace,
            InUserNamespace = inUserNamespace,
            CgroupJoinFiles = cgroupJoinFiles,
            ExplainShorthands = shorthands,
            CgroupEarlyJoinDirectory = cgroupEarlyJoin,
            CgroupMounts = cgroupMounts,
            Mounts = mounts,
            Devices = devices,
            Symlinks = symlinks,
            KernelSettings = kernelSettings,
            RootPropagation = rootPropagation,
            JoinNamespaces = joins,
            RootMounts = rootMounts,
            ConsoleSocket = consoleSocket,
            ConsoleOverChannel = consoleOverChannel,
            Process = new StageProcess
            {
                Uid = uid,
                Gid = gid,
                Groups = groups,
                Capabilities = capabilities,
                InheritableCapabilities = inheritable,
                AmbientCapabilities = ambient,
                ResourceLimits = limits,
                Umask = umask,
                LastCapability = lastCapability,
                NoNewPrivileges = noNewPrivileges,
                SessionKeyring = sessionKeyring,
                SeccompFilter = seccompFilter,
                WorkingDir = workingDir ?? throw Missing(nameof(StageProcess.WorkingDir)),
                Args = args ?? throw Missing(nameof(StageProcess.Args)),
                Env = env ?? throw Missing(nameof(StageProcess.Env)),
            },
        };
    }

    private delegate T ItemReader<T>(ref Utf8JsonReader reader);

    /// <summary>The array the reader is on, item by item (each read with the reader on its first token).</summary>
    private static List<T> Items<T>(ref Utf8JsonReader reader, ItemReader<T> item)
    {
        Start(ref reader, JsonTokenType.StartArray);
        var items = new List<T>();
        while (Next(ref reader) != JsonTokenType.EndArray) items.Add(item(ref reader));
        return items;
    }

    private static MountRecord Mount(ref Utf8JsonReader reader)
    {
        Start(ref reader, JsonTokenType.StartObject);
        string? type = null, source = null, target = null, data = null;
        MountFlags flags = 0;
        while (NextMember(ref reader) is { } name)
        {
            switch (name)
            {
                case nameof(MountRecord.Type): type = Text(ref reader); break;
                case nameof(MountRecord.Source): source = Text(ref reader); break;
                case nameof(MountRecord.Target): target = Text(ref reader); break;
                case nameof(MountRecord.Flags): flags = (MountFlags)reader.GetUInt64(); break;
                case nameof(MountRecord.Data): data = reader.TokenType == JsonTokenType.Null ? null : Text(ref reader); break;
                default: reader.Skip(); break;
            }
        }
        return new MountRecord(type ?? throw Missing("Mounts[].Type"), source ?? throw Missing("Mounts[].Source"),
            target ?? throw Missing("Mounts[].Target"), flags, data);
    }

    private static ResourceLimit Limit(ref Utf8JsonReader reader)
    {
        Start(ref reader, JsonTokenType.StartObject);
        string? type = null;
        int resource = 0;
        ulong soft = 0, hard = 0;
        while (NextMember(ref reader) is { } name)
        {
            switch (name)
            {
                case nameof(ResourceLimit.Type): type = Text(ref reader); break;
                case nameof(ResourceLimit.Resource): resource = reader.GetInt32(); break;
                case nameof(ResourceLimit.Soft): soft = reader.GetUInt64(); break;
                case nameof(ResourceLimit.Hard): hard = reader.GetUInt64(); break;
                default: reader.Skip(); break;
            }
        }
        return new ResourceLimit(type ?? throw Missing(nameof(ResourceLimit.Type)), resource, soft, hard);
    }

    private static DeviceNode Device(ref Utf8JsonReader reader)
    {
        Start(ref reader, JsonTokenType.StartObject);
        string? path = null;
        uint major = 0, minor = 0, mode = 0;
        bool block = false, fifo = false;
        uint? uid = null, gid = null;
        while (NextMember(ref reader) is { } name)
        {
            switch (name)
            {
                case nameof(DeviceNode.Path): path = Text(ref reader); break;
                case nameof(DeviceNode.Major): major = reader.GetUInt32(); break;
                case nameof(DeviceNode.Minor): minor = reader.GetUInt32(); break;
                case nameof(DeviceNode.Mode): mode = reader.GetUInt32(); break;
                case nameof(DeviceNode.Block): block = reader.GetBoolean(); break;
                case nameof(DeviceNode.Fifo): fifo = reader.GetBoolean(); break;
                case nameof(DeviceNode.Uid): uid = reader.GetUInt32(); break;
                case nameof(DeviceNode.Gid): gid = reader.GetUInt32(); break;
                default: reader.Skip(); break;
            }
        }
        return new DeviceNode(path ?? throw Missing("Devices[].Path"), major, minor, mode, block) { Fifo = fifo, Uid = uid, Gid = gid };
    }

    private static NamespacePath Join(ref Utf8JsonReader reader)
    {
        Start(ref reader, JsonTokenType.StartObject);
        NamespaceFlags type = NamespaceFlags.None;
        string? path = null;
        while (NextMember(ref reader) is { } name)
        {
            switch (name)
            {
                case nameof(NamespacePath.Type): type = (NamespaceFlags)reader.GetInt32(); break;
                case nameof(NamespacePath.Path): path = Text(ref reader); break;
                default: reader.Skip(); break;
            }
        }
        return new NamespacePath(type, path ?? throw Missing("JoinNamespaces[].Path"));
    }

    private static KernelSetting Setting(ref Utf8JsonReader reader)
    {
        Start(ref reader, JsonTokenType.StartObject);
        string? path = null, value = null;
        while (NextMember(ref reader) is { } name)
        {
            switch (name)
            {
                case nameof(KernelSetting.Path): path = Text(ref reader); break;
                case nameof(KernelSetting.Value): value = Text(ref reader); break;
                default: reader.Skip(); break;
            }
        }
        return new KernelSetting(path ?? throw Missing("KernelSettings[].Path"), value ?? throw Missing("KernelSettings[].Value"));
    }

    private static SeccompFilter Filter(ref Utf8JsonReader reader)
    {
        Start(ref reader, JsonTokenType.StartObject);
        byte[]? program = null;
        string? source = null;
        while (NextMember(ref reader) is { } name)
        {
            if (name == nameof(SeccompFilter.Program)) program = reader.GetBytesFromBase64();
            else if (name == nameof(SeccompFilter.Source)) source = Text(ref reader);
            else reader.Skip();
        }
        return new SeccompFilter(program ?? throw Missing("SeccompFilter.Program"), source ?? throw Missing("SeccompFilter.Source"));
    }

    private static SymlinkSpec Symlink(ref Utf8JsonReader reader)
    {
        Start(ref reader, JsonTokenType.StartObject);
        string? path = null, target = null;
        while (NextMember(ref reader) is { } name)
        {
            if (name == nameof(SymlinkSpec.Path)) path = Text(ref reader);
            else if (name == nameof(SymlinkSpec.Target)) target = Text(ref reader);
            else reader.Skip();
        }
        return new SymlinkSpec(path ?? throw Missing("Symlinks[].Path"), target ?? throw Missing("Symlinks[].Target"));
    }

    /// <summary>The next member's name, the reader left on its value; null at the end of the object.</summary>
    private static string? NextMember(ref Utf8JsonReader reader)
    {
        if (Next(ref reader) == JsonTokenType.EndObject) return null;
        string name = reader.GetString()!; // a property name: the reader allows nothing else here
        Next(ref reader);
        return name;
    }

    private static string Text(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.String ? reader.GetString()! : throw new JsonException($"a string was expected, not {reader.TokenType}");

    private static JsonTokenType Next(ref Utf8JsonReader reader) =>
        reader.Read() ? reader.TokenType : throw new JsonException("the spec is cut short");

    private static void Start(ref Utf8JsonReader reader, JsonTokenType expected)
    {
        if (reader.TokenType == JsonTokenType.None) Next(ref reader);
        if (reader.TokenType != expected) throw new JsonException($"{expected} was expected, not {reader.TokenType}");
    }

    private static MiniRunException Missing(string name) => new($"init: the spec has no {name}");
}
