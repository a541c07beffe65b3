using System.Text.Json;
using MiniRun.Common;

namespace MiniRun.Runtime.Lifecycle;

/// <summary>
/// state.json of a bundle's container, read and written member by member: every verb an engine calls (start, state,
/// kill, delete) reads it, and a serializer context's metadata costs such a short process more than the file itself.
/// A state with annotations or hooks (objects of their own) goes through <see cref="BundleStateJsonContext"/>, which
/// reads both forms: the file is the same JSON either way.
/// </summary>
internal static class BundleStateFile
{
    public static byte[] Write(BundleState state)
    {
        if (state.Annotations is not null || state.Hooks is not null)
            return JsonSerializer.SerializeToUtf8Bytes(state, BundleStateJsonContext.Default.BundleState);
        return JsonObjectWriter.Write(indented: true, json =>
        {
            json.WriteString("id", state.Id);
            json.WriteString("bundle", state.Bundle);
            json.WriteString("rootfs", state.Rootfs);
            json.WriteNumber("pid", state.Pid);
            json.WriteNumber("pidStartTicks", state.PidStartTicks);
            json.WriteString("cgroup", state.Cgroup);
            json.WriteString("created", state.Created);
        });
    }

    /// <summary>The state, or null when the JSON is not an object of its members.</summary>
    public static BundleState? Read(byte[] bytes)
    {
        var reader = new Utf8JsonReader(bytes);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return null;
        string? id = null, bundle = null, rootfs = null, cgroup = null;
        int? pid = null;
        long ticks = 0;
        DateTimeOffset? created = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string name = reader.GetString()!;
            if (!reader.Read()) return null;
            switch (name)
            {
                case "id": id = reader.GetString(); break;
                case "bundle": bundle = reader.GetString(); break;
                case "rootfs": rootfs = reader.GetString(); break;
                case "pid": pid = reader.GetInt32(); break;
                case "pidStartTicks": ticks = reader.GetInt64(); break;
                case "cgroup": cgroup = reader.GetString(); break;
                case "created": created = reader.GetDateTimeOffset(); break;
                // Objects of their own: the serializer reads the whole file.
                case "annotations" or "hooks": return JsonSerializer.Deserialize(bytes, BundleStateJsonContext.Default.BundleState);
                default: reader.Skip(); break;
            }
        }
        if (id is null || bundle is null || rootfs is null || pid is null || cgroup is null || created is null) return null;
        return new BundleState { Id = id, Bundle = bundle, Rootfs = rootfs, Pid = pid.Value, PidStartTicks = ticks, Cgroup = cgroup, Created = created.Value };
    }
}
