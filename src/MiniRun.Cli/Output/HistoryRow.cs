using System.Globalization;
using System.Text.Json;

namespace MiniRun.Cli.Output;

/// <summary>One step of `history` as `docker history --format` sees it (Docker's image.historyContext).</summary>
public static class HistoryRow
{
    public const string GoType = "*image.historyContext";

    public const string DefaultTable = "{{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}";

    public static JsonElement Headers { get; } = RowDocument.Headers(
        ("Comment", "COMMENT"), ("CreatedAt", "CREATED AT"), ("CreatedBy", "CREATED BY"), ("CreatedSince", "CREATED"), ("ID", "IMAGE"), ("Size", "SIZE"));

    /// <param name="id">The image's ID on the step that made it, else "&lt;missing&gt;".</param>
    public static JsonElement Of(string id, DateTimeOffset? created, string createdBy, long size, string comment, bool truncate)
    {
        createdBy = createdBy.Replace('\t', ' ');
        if (truncate) createdBy = Ellipsis(createdBy, 45);
        return RowDocument.Of(new SortedDictionary<string, string?>(StringComparer.Ordinal)
        {
            ["Comment"] = comment,
            // RFC 3339 of the Unix seconds; a step without a time is second 0.
            ["CreatedAt"] = DateTimeOffset.FromUnixTimeSeconds(created?.ToUnixTimeSeconds() ?? 0).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            ["CreatedBy"] = createdBy,
            ["CreatedSince"] = created is { } c && c.ToUnixTimeSeconds() > 0 ? HumanText.Ago(c) : "N/A",
            ["ID"] = truncate && id.StartsWith("sha256:", StringComparison.Ordinal) ? id["sha256:".Length..][..12] : id,
            ["Size"] = HumanText.Size(size),
        });
    }

    /// <summary>The CLI's formatter.Ellipsis: longer than the width, cut to width-1 characters and "…".</summary>
    private static string Ellipsis(string text, int width)
    {
        var info = new StringInfo(text);
        return info.LengthInTextElements <= width ? text : info.SubstringByTextElements(0, width - 1) + "…";
    }
}
