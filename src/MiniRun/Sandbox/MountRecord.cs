using MiniRun.Native;

namespace MiniRun.Sandbox;

/// <summary>
/// One mount(2) call as data: built by pure functions (testable without root), applied by one method,
/// and printable as the equivalent mount(8) command for teaching.
/// </summary>
public sealed record MountRecord(string Type, string Source, string Target, MountFlags Flags = MountFlags.None, string? Data = null)
{
    public void Apply() => Syscalls.Mount(Source, Target, Type, Flags, Data);

    /// <summary>The mount(8) command that does the same.</summary>
    public string ToShellCommand()
    {
        var options = new List<string>();
        if (Flags.HasFlag(MountFlags.ReadOnly)) options.Add("ro");
        if (Flags.HasFlag(MountFlags.NoSuid)) options.Add("nosuid");
        if (Flags.HasFlag(MountFlags.NoDev)) options.Add("nodev");
        if (Flags.HasFlag(MountFlags.NoExec)) options.Add("noexec");
        if (!string.IsNullOrEmpty(Data)) options.Add(Data);
        string o = options.Count > 0 ? " -o " + string.Join(',', options) : "";
        if (Flags.HasFlag(MountFlags.Remount))
            return $"mount -o remount,bind{(options.Count > 0 ? "," + string.Join(',', options) : "")} {Target}";
        if (Flags.HasFlag(MountFlags.Bind))
            return $"mount --{(Flags.HasFlag(MountFlags.Recursive) ? "rbind" : "bind")}{o} {Source} {Target}";
        return $"mount -t {Type} {Source}{o} {Target}";
    }

    /// <summary>A remount changes an existing mount; it has no target to create.</summary>
    public bool IsRemount => Flags.HasFlag(MountFlags.Remount);

    public override string ToString() => ToShellCommand();
}
