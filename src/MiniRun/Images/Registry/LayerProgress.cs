namespace MiniRun.Images.Registry;

/// <summary>Where one layer of a pull is (docker pull's per-layer status lines).</summary>
public enum LayerState
{
    /// <summary>"Pulling fs layer": queued for download.</summary>
    Waiting,
    /// <summary>"Already exists": its DiffID is in the store, it is not downloaded.</summary>
    AlreadyExists,
    /// <summary>Bytes arriving, verified and unpacked as they come.</summary>
    Downloading,
    /// <summary>"Pull complete": verified, unpacked and published.</summary>
    Complete,
}

/// <summary>One progress report: the layer (first 12 hex of its blob digest, as docker pull prints), its state and bytes.</summary>
public sealed record LayerProgress(string Id, LayerState State, long Current, long Total);
