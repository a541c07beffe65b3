using MiniRun.Explain;
using MiniRun.Native;

namespace MiniRun.Sandbox;

/// <summary>
/// One mount(2) call as data: built by pure functions (testable without root), applied by one method,
/// and printable as the equivalent mount(8) command for teaching.
/// </summary>
public sealed record MountRecord(string Type, string Source, string Target, MountFlags Flags = MountFlags.None, string? Data = null)
{
    public void Apply(ISyscalls sys) => sys.Mount(Source, Target, Type, Flags, Data);

    /// <summary>The mount(8) command that does the same.</summary>
    public string ToShellCommand() => MountCommand.Format(Source, Target, Type, Flags, Data);

    /// <summary>A remount changes an existing mount; it has no target to create.</summary>
    public bool IsRemount => Flags.HasFlag(MountFlags.Remount);

    public override string ToString() => ToShellCommand();
}
