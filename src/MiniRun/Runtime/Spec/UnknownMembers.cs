using System.Text.Json;

namespace MiniRun.Runtime.Spec;

/// <summary>
/// The members of config.json MiniRun has no type for (the <c>Unknown</c> extension data of the OCI types): one that asks
/// for something (apparmorProfile, mountLabel, blockIO, hugepageLimits…) is refused by name, as MiniRun would not do
/// it; one that asks for nothing (null, "", [], {}, false) is let through.
/// </summary>
public static class UnknownMembers
{
    public static void Refuse(string prefix, Dictionary<string, JsonElement>? members)
    {
        foreach ((string name, JsonElement value) in members ?? [])
        {
            bool empty = value.ValueKind switch
            {
                JsonValueKind.Null or JsonValueKind.False or JsonValueKind.Undefined => true,
                JsonValueKind.String => value.GetString() is "",
                JsonValueKind.Array => value.GetArrayLength() == 0,
                JsonValueKind.Object => !value.EnumerateObject().Any(),
                _ => false,
            };
            if (!empty) throw new MiniRunException($"config.json: {prefix}{name}: not supported by minirun; leave it out of config.json");
        }
    }
}
