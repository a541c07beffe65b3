namespace MiniRun.Tests.Parity;

/// <summary>The image archive formats the parity image is handed to `minirun load` in.</summary>
public enum ParityFormat
{
    /// <summary>`docker save` as this engine writes it (manifest.json + &lt;id&gt;/layer.tar).</summary>
    DockerSave,
    /// <summary>An OCI image layout directory, gzip layers (skopeo's default).</summary>
    OciLayoutGzip,
    /// <summary>An OCI image layout directory, zstd layers.</summary>
    OciLayoutZstd,
    /// <summary>An OCI image layout in one tar (skopeo's oci-archive).</summary>
    OciArchive,
}
