namespace MiniRun.Containers;

/// <summary>
/// A container on disk: <c>containers/&lt;id&gt;/</c> with its record, its state, the init layer (<c>init/</c>),
/// the upper and work dirs of its overlay (<c>diff/</c>, <c>work/</c>) and the mount point <c>merged/</c>
/// (<see cref="ContainerSnapshotter"/> spells the layout).
/// Paths are also given relative to the store root, the form used in overlay mount options.
/// </summary>
public sealed record Container(ContainerRecord Record, string Directory, string RelativeDirectory)
{
    public string Id => Record.Id;
    public string Name => Record.Name;
    public string InitDir => Path.Combine(Directory, ContainerSnapshotter.InitDirectory);
    public string UpperDir => Path.Combine(Directory, ContainerSnapshotter.UpperDirectory);
    public string WorkDir => Path.Combine(Directory, ContainerSnapshotter.WorkDirectory);
    public string MergedDir => Path.Combine(Directory, ContainerSnapshotter.MergedDirectory);
    public string StatePath => Path.Combine(Directory, "state.json");
    /// <summary>A detached container's stdout and stderr, as they were written (Docker keeps them in &lt;id&gt;-json.log).</summary>
    public string LogPath => Path.Combine(Directory, "container.log");
    public string ShortId => Id[..12];
}
