using System.Globalization;
using System.Text.Json;
using MiniRun.Containers;

namespace MiniRun.Cli.Output;

/// <summary>
/// One container as `docker ps --format` sees it (Docker's formatter.ContainerContext): every field already text,
/// the keys in the order `--format json` prints them.
/// </summary>
public static class ContainerRow
{
    /// <summary>Go's type name for the row, which Docker's "can't evaluate field" errors name.</summary>
    public const string GoType = "*formatter.ContainerContext";

    /// <summary>`docker ps`'s columns (and `-s`'s SIZE).</summary>
    public const string DefaultTable = "{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";

    /// <summary>The column names a `table` format prints above the rows.</summary>
    public static JsonElement Headers { get; } = Document(new SortedDictionary<string, string?>(StringComparer.Ordinal)
    {
        ["Command"] = "COMMAND", ["CreatedAt"] = "CREATED AT", ["ID"] = "CONTAINER ID", ["Image"] = "IMAGE", ["Labels"] = "LABELS",
        ["LocalVolumes"] = "LOCAL VOLUMES", ["Mounts"] = "MOUNTS", ["Names"] = "NAMES", ["Networks"] = "NETWORKS", ["Platform"] = "PLATFORM",
        ["Ports"] = "PORTS", ["RunningFor"] = "CREATED", ["Size"] = "SIZE", ["State"] = "STATE", ["Status"] = "STATUS",
    });

    /// <param name="size">Docker's SIZE text, when asked for (`-s` or `.Size` in the format); "0B" otherwise, as Docker.</param>
    public static JsonElement Of(Container container, ContainerStatus status, bool truncate, string? size)
    {
        ContainerRecord record = container.Record;
        // The daemon's Command: an argument with a space in single quotes (moby's daemon/list.go), no other quoting.
        string command = record.Args[0] + (record.Args.Count > 1 ? " " + string.Join(' ', record.Args.Skip(1).Select(a => a.Contains(' ') ? $"'{a}'" : a)) : "");
        return Document(new SortedDictionary<string, string?>(StringComparer.Ordinal)
        {
            ["Command"] = GoQuote(truncate && command.Length > 20 ? command[..19] + "…" : command),
            // Go's time.Time String(); the CLI prints it in its local zone, MiniRun in UTC.
            ["CreatedAt"] = record.Created.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " +0000 UTC",
            ["ID"] = truncate ? container.ShortId : record.Id,
            ["Image"] = record.ImageName,
            ["Labels"] = string.Join(',', record.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")),
            ["LocalVolumes"] = record.Mounts.Count(m => m.Type == ContainerMount.Volume).ToString(CultureInfo.InvariantCulture),
            ["Mounts"] = string.Join(',', record.Mounts.Select(m => MountName(m, truncate))),
            ["Names"] = container.Name,
            ["Networks"] = record.Network switch { NetworkMode.Bridge => string.Join(",", record.Networks.Select(n => n.Name)), NetworkMode.Container => "", _ => record.Network.ToString().ToLowerInvariant() },
            ["Platform"] = null,
            ["Ports"] = string.Join(", ", record.Ports.Select(p => $"{p.HostAddress}->{p.Key}")),
            ["RunningFor"] = HumanText.Ago(record.Created),
            ["Size"] = size ?? "0B",
            ["State"] = status.Paused ? "paused" : status.Status.Name(),
            ["Status"] = Verbs.PsVerb.Status(status),
        });
    }

    /// <summary>Docker's MOUNTS: a volume's name or a bind's source, cut at 15 characters unless --no-trunc.</summary>
    private static string MountName(ContainerMount mount, bool truncate)
    {
        string name = mount.Type == ContainerMount.Volume ? mount.Name : mount.Source;
        return truncate && name.Length > 15 ? name[..14] + "…" : name;
    }

    /// <summary>Go's strconv.Quote, which the CLI puts around COMMAND: quotes and backslashes escaped, control characters spelled.</summary>
    private static string GoQuote(string text)
    {
        var quoted = new System.Text.StringBuilder("\"");
        foreach (char c in text)
            quoted.Append(c switch
            {
                '"' => "\\\"", '\\' => "\\\\", '\n' => "\\n", '\t' => "\\t", '\r' => "\\r",
                < ' ' or '\x7f' => $"\\x{(int)c:x2}",
                _ => c.ToString(),
            });
        return quoted.Append('"').ToString();
    }

    private static JsonElement Document(SortedDictionary<string, string?> fields) => RowDocument.Of(fields);
}
