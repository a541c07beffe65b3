namespace MiniRun.Layers;

/// <summary>What a layer does to one path: adds it, changes it (it exists below), deletes it (a whiteout), or makes a directory opaque.</summary>
public enum LayerChangeKind { Added, Changed, Deleted, Opaque }

/// <summary>One path a layer touches, as a container path ("/etc/os-release").</summary>
public sealed record LayerChange(LayerChangeKind Kind, string Path)
{
    /// <summary>docker diff's letters, and O for an opaque directory.</summary>
    public string Letter => Kind switch { LayerChangeKind.Added => "A", LayerChangeKind.Changed => "C", LayerChangeKind.Deleted => "D", _ => "O" };
}
