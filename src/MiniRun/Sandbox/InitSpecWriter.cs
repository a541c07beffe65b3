using MiniRun.Native;
using System.Text.Json;
using MiniRun.Sandbox.Seccomp;

namespace MiniRun.Sandbox;

/// <summary>
/// The parent's side of the spec: written member by member with a <see cref="Utf8JsonWriter"/>, the same JSON
/// <see cref="InitSpecReader"/> reads. No serializer context is made on the way to a container's start (making one,
/// with its type's metadata, cost about 0.3 ms even for generated serialization code).
/// </summary>
internal static class InitSpecWriter
{
    public static byte[] Write(InitSpec spec) => JsonObjectWriter.Write(indented: false, json =>
    {
        json.WriteString(nameof(InitSpec.RootFs), spec.RootFs);
        json.WriteBoolean(nameof(InitSpec.UseChroot), spec.UseChroot);
        json.WriteString(nameof(InitSpec.Hostname), spec.Hostname);
        json.WriteBoolean(nameof(InitSpec.IsolateNetwork), spec.IsolateNetwork);
        json.WriteNumber(nameof(InitSpec.Namespaces), (int)spec.Namespaces);
        if (!spec.CgroupNamespace) json.WriteBoolean(nameof(InitSpec.CgroupNamespace), false);
        if (spec.InUserNamespace) json.WriteBoolean(nameof(InitSpec.InUserNamespace), true);
        JsonObjectWriter.Strings(json, nameof(InitSpec.CgroupJoinFiles), spec.CgroupJoinFiles);
        if (spec.ExplainShorthands.Count > 0) JsonObjectWriter.Strings(json, nameof(InitSpec.ExplainShorthands), spec.ExplainShorthands);
        if (spec.CgroupEarlyJoinDirectory is { } early) json.WriteString(nameof(InitSpec.CgroupEarlyJoinDirectory), early);
        Mounts(json, nameof(InitSpec.CgroupMounts), spec.CgroupMounts);
        Mounts(json, nameof(InitSpec.Mounts), spec.Mounts);
        json.WriteStartArray(nameof(InitSpec.Devices));
        foreach (DeviceNode node in spec.Devices)
        {
            json.WriteStartObject();
            json.WriteString(nameof(DeviceNode.Path), node.Path);
            json.WriteNumber(nameof(DeviceNode.Major), node.Major);
            json.WriteNumber(nameof(DeviceNode.Minor), node.Minor);
            json.WriteNumber(nameof(DeviceNode.Mode), node.Mode);
            json.WriteBoolean(nameof(DeviceNode.Block), node.Block);
            if (node.Fifo) json.WriteBoolean(nameof(DeviceNode.Fifo), true);
            if (node.Uid is { } uid) json.WriteNumber(nameof(DeviceNode.Uid), uid);
            if (node.Gid is { } gid) json.WriteNumber(nameof(DeviceNode.Gid), gid);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        if (spec.JoinNamespaces.Count > 0)
        {
            json.WriteStartArray(nameof(InitSpec.JoinNamespaces));
            foreach (NamespacePath ns in spec.JoinNamespaces)
            {
                json.WriteStartObject();
                json.WriteNumber(nameof(NamespacePath.Type), (int)ns.Type);
                json.WriteString(nameof(NamespacePath.Path), ns.Path);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        if (spec.KernelSettings.Count > 0)
        {
            json.WriteStartArray(nameof(InitSpec.KernelSettings));
            foreach (KernelSetting setting in spec.KernelSettings)
            {
                json.WriteStartObject();
                json.WriteString(nameof(KernelSetting.Path), setting.Path);
                json.WriteString(nameof(KernelSetting.Value), setting.Value);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        json.WriteStartArray(nameof(InitSpec.Symlinks));
        foreach (SymlinkSpec link in spec.Symlinks)
        {
            json.WriteStartObject();
            json.WriteString(nameof(SymlinkSpec.Path), link.Path);
            json.WriteString(nameof(SymlinkSpec.Target), link.Target);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        Mounts(json, nameof(InitSpec.RootMounts), spec.RootMounts);
        if (spec.RootPropagation != MountFlags.None) json.WriteNumber(nameof(InitSpec.RootPropagation), (ulong)spec.RootPropagation);
        if (spec.ConsoleSocket is { } console) json.WriteString(nameof(InitSpec.ConsoleSocket), console);
        if (spec.ConsoleOverChannel) json.WriteBoolean(nameof(InitSpec.ConsoleOverChannel), true);
        json.WriteNumber(nameof(StageProcess.Uid), spec.Process.Uid);
        json.WriteNumber(nameof(StageProcess.Gid), spec.Process.Gid);
        json.WriteStartArray(nameof(StageProcess.Groups));
        foreach (uint group in spec.Process.Groups) json.WriteNumberValue(group);
        json.WriteEndArray();
        json.WriteNumber(nameof(StageProcess.Capabilities), spec.Process.Capabilities);
        if (spec.Process.Umask != StageProcess.DefaultUmask) json.WriteNumber(nameof(StageProcess.Umask), spec.Process.Umask);
        if (spec.Process.InheritableCapabilities != 0) json.WriteNumber(nameof(StageProcess.InheritableCapabilities), spec.Process.InheritableCapabilities);
        if (spec.Process.AmbientCapabilities != 0) json.WriteNumber(nameof(StageProcess.AmbientCapabilities), spec.Process.AmbientCapabilities);
        if (spec.Process.ResourceLimits.Count > 0)
        {
            json.WriteStartArray(nameof(StageProcess.ResourceLimits));
            foreach (ResourceLimit limit in spec.Process.ResourceLimits)
            {
                json.WriteStartObject();
                json.WriteString(nameof(ResourceLimit.Type), limit.Type);
                json.WriteNumber(nameof(ResourceLimit.Resource), limit.Resource);
                json.WriteNumber(nameof(ResourceLimit.Soft), limit.Soft);
                json.WriteNumber(nameof(ResourceLimit.Hard), limit.Hard);
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        json.WriteNumber(nameof(StageProcess.LastCapability), spec.Process.LastCapability);
        json.WriteBoolean(nameof(StageProcess.NoNewPrivileges), spec.Process.NoNewPrivileges);
        if (spec.Process.SessionKeyring is not null) json.WriteString(nameof(StageProcess.SessionKeyring), spec.Process.SessionKeyring);
        if (spec.Process.SeccompFilter is { } filter)
        {
            json.WriteStartObject(nameof(StageProcess.SeccompFilter));
            json.WriteBase64String(nameof(SeccompFilter.Program), filter.Program);
            json.WriteString(nameof(SeccompFilter.Source), filter.Source);
            json.WriteEndObject();
        }
        json.WriteString(nameof(StageProcess.WorkingDir), spec.Process.WorkingDir);
        JsonObjectWriter.Strings(json, nameof(StageProcess.Args), spec.Process.Args);
        JsonObjectWriter.Strings(json, nameof(StageProcess.Env), spec.Process.Env);
    });

    private static void Mounts(Utf8JsonWriter json, string name, List<MountRecord> mounts)
    {
        json.WriteStartArray(name);
        foreach (MountRecord mount in mounts)
        {
            json.WriteStartObject();
            json.WriteString(nameof(MountRecord.Type), mount.Type);
            json.WriteString(nameof(MountRecord.Source), mount.Source);
            json.WriteString(nameof(MountRecord.Target), mount.Target);
            json.WriteNumber(nameof(MountRecord.Flags), (ulong)mount.Flags);
            if (mount.Data is null) json.WriteNull(nameof(MountRecord.Data));
            else json.WriteString(nameof(MountRecord.Data), mount.Data);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    }

}
