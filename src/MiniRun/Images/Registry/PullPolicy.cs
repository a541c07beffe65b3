namespace MiniRun.Images.Registry;

/// <summary><c>run --pull</c>: when to ask the registry (Docker's pull policies).</summary>
public enum PullPolicy
{
    /// <summary>Pull only when the store has no image by that reference (the default).</summary>
    Missing,
    /// <summary>Always ask the registry; layers already stored are still not downloaded again.</summary>
    Always,
    /// <summary>Never pull: the image must be in the store.</summary>
    Never,
}
