using System.Text.Json;
using System.Text.Json.Nodes;

namespace MiniRun.Networking.Cni;

/// <summary>
/// A plugin's failure, told in one line: SPEC.md "Error" — a non-zero exit with {"code", "msg", "details"} on stdout
/// (codes 1-99 are the spec's, e.g. 7 "invalid network config"); when a plugin says nothing parseable, its own words.
/// </summary>
public static class CniPluginError
{
    public static MiniRunException From(string plugin, CniCommand command, int status, string stdout)
    {
        string said = Describe(stdout) ?? (stdout.Trim().Length > 0 ? stdout.Trim() : $"exited with status {status}");
        said = said.ReplaceLineEndings(" ");
        if (said.Length > 400) said = said[..400] + "…";
        return new MiniRunException($"CNI plugin {plugin} ({command.ToString().ToUpperInvariant()}): {said}");
    }

    /// <summary>"msg: details (code N)", or null when the output is not the error JSON.</summary>
    internal static string? Describe(string stdout)
    {
        try
        {
            if (JsonNode.Parse(stdout) is not JsonObject error || error["msg"] is not JsonValue msg) return null;
            string text = msg.ToString();
            if (error["details"] is JsonValue details && details.ToString() is { Length: > 0 } d) text += ": " + d;
            if (error["code"] is JsonValue code) text += $" (code {code.ToJsonString()})";
            return text;
        }
        catch (JsonException) { return null; }
    }
}
