namespace MiniRun.Images;

/// <summary>
/// Which images are built on which. MiniRun records no parent image, so a child is an image whose layers extend
/// another's: the same layers bottom first, then more (what `commit` or a build on top of it makes). Docker uses
/// this for `ps --filter ancestor=` (descendants count) and for hiding untagged parents in `images` without -a.
/// </summary>
public sealed class ImageLineage(IReadOnlyList<ImageRecord> images)
{
    /// <summary>True when <paramref name="child"/>'s layers start with all of <paramref name="parent"/>'s and add some.</summary>
    public static bool IsChildOf(ImageRecord child, ImageRecord parent) =>
        child.DiffIds.Count > parent.DiffIds.Count && parent.DiffIds.Select((d, i) => child.DiffIds[i] == d).All(same => same);

    public bool HasChildren(ImageRecord image) => images.Any(other => IsChildOf(other, image));

    /// <summary>The image and every image built on it.</summary>
    public IEnumerable<ImageRecord> WithDescendants(ImageRecord image) =>
        images.Where(other => other.Id == image.Id || IsChildOf(other, image));
}
