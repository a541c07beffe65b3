using System.Text.RegularExpressions;

namespace MiniRun.Images;

/// <summary>
/// Reads a <c>docker save</c> archive (moby image/tarexport). Both generations have <c>manifest.json</c>: Docker ≤24
/// lists <c>&lt;config-hex&gt;.json</c> and <c>&lt;v1-id&gt;/layer.tar</c>; Docker ≥25 writes an OCI layout beside it
/// and lists <c>blobs/sha256/&lt;hex&gt;</c> paths, which are therefore content-addressed and verified as blobs.
/// </summary>
public static partial class DockerArchive
{
    public const string ManifestName = "manifest.json";

    public static bool IsDockerArchive(BlobSource source) => source.Contains(ManifestName);

    public static IReadOnlyList<ImagePlan> Read(BlobSource source)
    {
        string where = $"{source.Description}: {ManifestName}";
        List<DockerManifestEntry> entries = ImageJson.ParseDockerManifest(source.ReadJson(ManifestName), where);
        if (entries.Count == 0) throw new InvalidInputException($"{where}: lists no image");
        var plans = new List<ImagePlan>(entries.Count);
        for (int i = 0; i < entries.Count; i++)
        {
            DockerManifestEntry entry = entries[i];
            string entryWhere = $"{where}[{i}]";
            string configName = entry.Config ?? throw new InvalidInputException($"{entryWhere}: has no Config");
            byte[] config = source.ReadJson(configName, DigestOfName(configName));
            var layers = new List<(string, Digest?, long?)>();
            foreach (string layer in entry.Layers ?? throw new InvalidInputException($"{entryWhere}: has no Layers"))
            {
                if (layers.Count >= ImagePlan.MaxLayers)
                    throw new InvalidInputException($"{entryWhere}: more than {ImagePlan.MaxLayers} layers, the most a container can mount (one page of overlay mount options)");
                layers.Add((layer, DigestOfName(layer), null));
            }
            var names = new List<ImageReference>();
            foreach (string tag in entry.RepoTags ?? [])
            {
                if (!ImageReference.TryParse(tag, out ImageReference? name, out string? error))
                    throw new InvalidInputException($"{entryWhere}: RepoTags: {error}");
                names.Add(name);
            }
            plans.Add(ImagePlan.Create(source, configName, config, null, layers, names, null));
        }
        return plans;
    }

    /// <summary>
    /// A member named by its content (<c>blobs/sha256/&lt;hex&gt;</c>, or Docker ≤24's <c>&lt;hex&gt;.json</c> config,
    /// whose name is the image ID) must hash to that name; a <c>&lt;v1-id&gt;/layer.tar</c> is checked by its DiffID only.
    /// </summary>
    private static Digest? DigestOfName(string name)
    {
        Match m = ContentAddressedName().Match(BlobSource.Normalize(name) ?? "");
        return m.Success && Digest.TryParse("sha256:" + (m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value), out Digest d) ? d : null;
    }

    [GeneratedRegex("^(?:blobs/sha256/([a-f0-9]{64})|([a-f0-9]{64})\\.json)$")]
    private static partial Regex ContentAddressedName();
}
