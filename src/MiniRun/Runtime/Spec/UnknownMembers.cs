using System.Text.Json;

namespace MiniRun.Runtime.Spec;

/// <summary>
/// The members of config.json MiniRun has no type for (the <c>Unknown</c> extension data of the OCI types). One the
/// runtime-spec defines (apparmorProfile, mountLabel, blockIO, hugepageLimits…) and that asks for something is refused
/// by name, as MiniRun would not do it; one that asks for nothing (null, "", [], {}, false) is let through, and so is one
/// the spec does not define (config.md "Extensibility": runtimes MUST ignore unknown properties).
/// </summary>
public static class UnknownMembers
{
    /// <param name="specNames">the members of this object the runtime-spec defines and MiniRun does not type.</param>
    public static void Refuse(string prefix, Dictionary<string, JsonElement>? members, params string[] specNames)
    {
        foreach ((string name, JsonElement value) in members ?? [])
        {
            if (!specNames.Contains(name)) continue;
            if (!AsksNothing(value)) throw new MiniRunException($"config.json: {prefix}{name}: not supported by minirun; leave it out of config.json");
        }
    }

    /// <summary>null, false, 0, "", [], or an object of such members: Docker writes "blockIO": {"weight": 0} for every container.</summary>
    private static bool AsksNothing(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.False or JsonValueKind.Undefined => true,
        JsonValueKind.String => value.GetString() is "",
        JsonValueKind.Number => value.TryGetDecimal(out decimal number) && number == 0,
        JsonValueKind.Array => value.GetArrayLength() == 0,
        JsonValueKind.Object => value.EnumerateObject().All(member => AsksNothing(member.Value)),
        _ => false,
    };
}
