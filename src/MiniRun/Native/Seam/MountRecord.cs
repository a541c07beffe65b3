namespace MiniRun.Native;

/// <summary>
/// One mount(2) call as data: built by pure functions (testable without root), applied through the seam, and
/// printable as the equivalent mount(8) command (<c>MountCommand</c>, for teaching).
/// </summary>
public sealed record MountRecord(string Type, string Source, string Target, MountFlags Flags = MountFlags.None, string? Data = null)
{
    public void Apply(ISyscalls sys) => sys.Mount(Source, Target, Type, Flags, Data);

    /// <summary>A remount changes an existing mount; it has no target to create.</summary>
    public bool IsRemount => Flags.HasFlag(MountFlags.Remount);

    /// <summary>A remount or a propagation change (mount --make-rprivate): it changes the mount already at its target.</summary>
    public bool ChangesAMount => IsRemount ||
        ((Flags & (MountFlags.Shared | MountFlags.Slave | MountFlags.Private | MountFlags.Unbindable)) != 0 && !Flags.HasFlag(MountFlags.Bind));
}
