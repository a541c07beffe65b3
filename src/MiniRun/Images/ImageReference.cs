using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace MiniRun.Images;

/// <summary>
/// An image name as Docker normalises it: <c>alpine</c> is <c>docker.io/library/alpine:latest</c>,
/// <c>user/app</c> is <c>docker.io/user/app:latest</c>, <c>host:5000/x/y@sha256:…</c> keeps its registry.
/// Grammar and normalisation follow distribution/reference (regexp.go, normalize.go).
/// </summary>
public sealed partial record ImageReference
{
    public const string DefaultDomain = "docker.io";
    public const string DefaultTag = "latest";
    private const string LegacyDefaultDomain = "index.docker.io";
    private const string OfficialRepositoryPrefix = "library/";
    private const int NameTotalLengthMax = 255;

    /// <summary>The registry host (with port), e.g. <c>docker.io</c>.</summary>
    public string Domain { get; }
    /// <summary>The repository path inside the registry, e.g. <c>library/alpine</c>.</summary>
    public string Path { get; }
    public string? Tag { get; }
    public Digest? Digest { get; }

    private ImageReference(string domain, string path, string? tag, Digest? digest)
    {
        Domain = domain;
        Path = path;
        Tag = tag;
        Digest = digest;
    }

    /// <summary>The full repository name, e.g. <c>docker.io/library/alpine</c>.</summary>
    public string Repository => $"{Domain}/{Path}";

    /// <summary>The repository as <c>docker images</c> shows it: <c>alpine</c>, <c>user/app</c>, <c>host:5000/x</c>.</summary>
    public string FamiliarRepository
    {
        get
        {
            if (Domain != DefaultDomain) return Repository;
            if (Path.StartsWith(OfficialRepositoryPrefix, StringComparison.Ordinal) && Path.IndexOf('/', OfficialRepositoryPrefix.Length) < 0)
                return Path[OfficialRepositoryPrefix.Length..];
            return Path;
        }
    }

    /// <summary>The short form users type and Docker prints: <c>alpine:latest</c>.</summary>
    public string FamiliarString => FamiliarRepository + Suffix;

    /// <summary>True when the reference names a tag (a name the store can hold), false for a digest-only reference.</summary>
    public bool IsTagged => Tag is not null;

    public ImageReference WithTag(string tag) => new(Domain, Path, tag, null);

    /// <summary>The full normalised form, e.g. <c>docker.io/library/alpine:latest</c>.</summary>
    public override string ToString() => Repository + Suffix;

    private string Suffix => (Tag is null ? "" : ":" + Tag) + (Digest is null ? "" : "@" + Digest);

    /// <summary>Parses and normalises; a reference without tag or digest gets <c>:latest</c>.</summary>
    public static ImageReference Parse(string text) =>
        TryParse(text, out ImageReference? reference, out string? error) ? reference : throw new InvalidInputException(error);

    public static bool TryParse(string text, [NotNullWhen(true)] out ImageReference? reference) => TryParse(text, out reference, out _);

    public static bool TryParse(string text, [NotNullWhen(true)] out ImageReference? reference, [NotNullWhen(false)] out string? error)
    {
        reference = null;
        error = Check(text, out string? domain, out string? path, out string? tag, out Digest? digest);
        if (error is not null)
        {
            error = $"invalid image reference \"{Shorten(text)}\": {error}";
            return false;
        }
        if (tag is null && digest is null) tag = DefaultTag;
        reference = new ImageReference(domain!, path!, tag, digest);
        return true;
    }

    private static string? Check(string text, out string? domain, out string? path, out string? tag, out Digest? digest)
    {
        domain = path = tag = null;
        digest = null;
        if (string.IsNullOrEmpty(text)) return "it is empty";
        if (text.Length > 1024 || text.Any(char.IsWhiteSpace)) return "it has whitespace or is too long";
        // normalize.go: a bare 64-hex string would be mistaken for an image ID.
        if (FullHexPattern().IsMatch(text)) return "a 64-character hexadecimal string is an image ID, not a name";

        string name = text;
        int at = name.IndexOf('@');
        if (at >= 0)
        {
            string digestText = name[(at + 1)..];
            if (!MiniRun.Common.Digest.TryParse(digestText, out Digest parsed))
                return DigestPattern().IsMatch(digestText) ? "only sha256 digests are supported" : "the digest is malformed";
            digest = parsed;
            name = name[..at];
        }
        int colon = name.LastIndexOf(':');
        if (colon > name.LastIndexOf('/'))
        {
            tag = name[(colon + 1)..];
            if (!TagPattern().IsMatch(tag)) return "the tag is malformed (allowed: letters, digits, '_', '.', '-'; at most 128)";
            name = name[..colon];
        }
        if (name.Length == 0) return "the repository name is empty";

        // normalize.go splitDockerDomain: the first component is a registry only if it looks like a host.
        int slash = name.IndexOf('/');
        string first = slash < 0 ? "" : name[..slash];
        if (slash < 0 || (first.IndexOfAny(['.', ':']) < 0 && first != "localhost" && first.ToLowerInvariant() == first))
        {
            domain = DefaultDomain;
            path = name;
        }
        else
        {
            domain = first;
            path = name[(slash + 1)..];
        }
        if (domain == LegacyDefaultDomain) domain = DefaultDomain;
        if (domain == DefaultDomain && !path.Contains('/')) path = OfficialRepositoryPrefix + path;

        if (!DomainPattern().IsMatch(domain)) return $"\"{Shorten(domain)}\" is not a valid registry host";
        if (path.Any(char.IsUpper)) return "the repository name must be lowercase";
        if (!PathPattern().IsMatch(path)) return "the repository name is malformed (lowercase letters, digits and separators '.', '_', '__', '-', '/')";
        if (domain.Length + 1 + path.Length > NameTotalLengthMax) return $"the repository name is longer than {NameTotalLengthMax} characters";
        return null;
    }

    private static string Shorten(string s) => s.Length > 80 ? s[..80] + "…" : s;

    [GeneratedRegex("^[a-f0-9]{64}$")]
    private static partial Regex FullHexPattern();

    [GeneratedRegex(@"^[\w][\w.-]{0,127}$")]
    private static partial Regex TagPattern();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$")]
    private static partial Regex DigestPattern();

    // regexp.go: domainNameComponent ("." domainNameComponent)* or [ipv6], then an optional ":port".
    [GeneratedRegex(@"^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?$")]
    private static partial Regex DomainPattern();

    // regexp.go: pathComponent = [a-z0-9]+ (separator [a-z0-9]+)*, separator = [._] | __ | -+ ; components joined by "/".
    [GeneratedRegex("^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$")]
    private static partial Regex PathPattern();
}
