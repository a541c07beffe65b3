namespace MiniRun.Fixtures.Images;

/// <summary>The image sources <see cref="ImageArchiveBuilder"/> writes.</summary>
public enum ArchiveFormat
{
    /// <summary>docker save up to Docker 24: manifest.json, &lt;config&gt;.json, &lt;v1-id&gt;/layer.tar.</summary>
    DockerSaveLegacy,
    /// <summary>docker save since Docker 25: manifest.json pointing into an OCI layout (index.json, blobs/sha256/…).</summary>
    DockerSave,
    /// <summary>An OCI image layout directory.</summary>
    OciLayout,
    /// <summary>A tar of an OCI image layout (oci-archive).</summary>
    OciArchive,
}

/// <summary>How layer blobs are compressed.</summary>
public enum LayerCompression { None, Gzip, Zstd }

/// <summary>Where an OCI index entry carries the image's name.</summary>
public enum OciNameStyle
{
    /// <summary>io.containerd.image.name = full name, ref.name = bare tag (what docker save ≥25 writes).</summary>
    ContainerdAnnotation,
    /// <summary>org.opencontainers.image.ref.name = the full name.</summary>
    FullRefName,
    /// <summary>org.opencontainers.image.ref.name = the bare tag only, which names no image.</summary>
    BareTagRefName,
}
