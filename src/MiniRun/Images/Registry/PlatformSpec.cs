namespace MiniRun.Images.Registry;

/// <summary>An OS/architecture[/variant] to pull (<c>--platform linux/arm64</c>), matched against index entries (image-index.md).</summary>
public sealed record PlatformSpec(string Os, string Architecture, string? Variant)
{
    /// <summary>linux and this machine's architecture: what Docker pulls by default.</summary>
    public static PlatformSpec Current => new("linux", Platforms.Architecture, null);

    /// <summary>Parses <c>os/arch[/variant]</c> or a bare <c>arch</c> (meaning linux/arch), as docker's --platform.</summary>
    public static PlatformSpec Parse(string text)
    {
        string[] parts = text.Trim().ToLowerInvariant().Split('/');
        if (parts.Any(p => p.Length == 0) || parts.Length > 3)
            throw new InvalidInputException($"invalid platform \"{text}\": expected os/arch[/variant], e.g. linux/amd64");
        PlatformSpec spec = parts.Length switch
        {
            1 => new PlatformSpec("linux", parts[0], null),
            2 => new PlatformSpec(parts[0], parts[1], null),
            _ => new PlatformSpec(parts[0], parts[1], parts[2]),
        };
        if (spec.Os != "linux") throw new InvalidInputException($"invalid platform \"{text}\": minirun runs linux images only");
        return spec.Normalized();
    }

    /// <summary>containerd's platforms.Normalize: x86_64 is amd64, aarch64 is arm64 (whose v8 variant is the default).</summary>
    private PlatformSpec Normalized() => Architecture switch
    {
        "x86_64" or "x86-64" => this with { Architecture = "amd64", Variant = null },
        "aarch64" => this with { Architecture = "arm64", Variant = Variant == "v8" ? null : Variant },
        "arm64" when Variant == "v8" => this with { Variant = null },
        _ => this,
    };

    public bool Matches(OciPlatform platform) =>
        platform.Os == Os && platform.Architecture == Architecture
        && (Variant is null || platform.Variant == Variant || (Architecture == "arm64" && Variant == "v8" && platform.Variant is null));

    /// <summary>
    /// The index entry to pull: an image manifest for this platform, attestations skipped (Docker's buildx marks them with
    /// vnd.docker.reference.type and platform unknown/unknown); arm64 prefers variant v8 or none, as containerd's matcher.
    /// </summary>
    public OciDescriptor? Choose(IEnumerable<OciDescriptor> manifests)
    {
        List<OciDescriptor> matching = manifests
            .Where(m => !IsAttestation(m) && m.Platform is { } p && Matches(p))
            .ToList();
        if (Variant is not null) return matching.FirstOrDefault();
        return matching.FirstOrDefault(m => m.Platform!.Variant is null or "v8") ?? matching.FirstOrDefault();
    }

    /// <summary>buildx's attestation manifests (docs.docker.com/build/metadata/attestations/attestation-storage).</summary>
    public static bool IsAttestation(OciDescriptor descriptor) =>
        descriptor.Annotations?.TryGetValue("vnd.docker.reference.type", out string? type) == true && type == "attestation-manifest";

    public override string ToString() => $"{Os}/{Architecture}{(Variant is null ? "" : "/" + Variant)}";
}
