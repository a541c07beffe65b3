using System.Globalization;
using System.Text.Json;
using MiniRun.Images;

namespace MiniRun.Cli.Output;

/// <summary>
/// One row of `images` as `docker images --format` sees it (Docker's formatter.imageContext): an image under one
/// repository and tag (or digest), every field already text.
/// </summary>
public static class ImageRow
{
    public const string GoType = "*formatter.imageContext";

    public const string DefaultTable = "{{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";

    /// <summary>--digests' table: DIGEST after TAG.</summary>
    public const string DigestsTable = "{{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";

    public static JsonElement Headers { get; } = RowDocument.Headers(
        ("Containers", "CONTAINERS"), ("CreatedAt", "CREATED AT"), ("CreatedSince", "CREATED"), ("Digest", "DIGEST"), ("ID", "IMAGE ID"),
        ("Repository", "REPOSITORY"), ("SharedSize", "SHARED SIZE"), ("Size", "SIZE"), ("Tag", "TAG"), ("UniqueSize", "UNIQUE SIZE"),
        ("VirtualSize", "SIZE")); // the CLI heads both sizes SIZE

    public static JsonElement Of(ImageRecord image, string repository, string tag, string digest, bool truncate) =>
        RowDocument.Of(new SortedDictionary<string, string?>(StringComparer.Ordinal)
        {
            ["Containers"] = "N/A", // counted only by `system df -v`
            // Go's time.Time String() of the Unix seconds; the CLI prints it in its local zone, MiniRun in UTC.
            ["CreatedAt"] = image.Config.Created is { } c
                ? DateTimeOffset.FromUnixTimeSeconds(c.ToUnixTimeSeconds()).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " +0000 UTC" : "N/A",
            ["CreatedSince"] = image.Config.Created is { } since ? HumanText.Ago(since) : "N/A",
            ["Digest"] = digest,
            ["ID"] = truncate ? image.ShortId : image.Id.ToString(),
            ["Repository"] = repository,
            ["SharedSize"] = "N/A",
            ["Size"] = HumanText.Size(image.Size),
            ["Tag"] = tag,
            ["UniqueSize"] = "N/A",
            ["VirtualSize"] = HumanText.SizeFourDigits(image.Size),
        });
}
