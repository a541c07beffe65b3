using MiniRun.Native;

namespace MiniRun.Explain;

/// <summary>A mount(2) call as the mount(8) command that does the same.</summary>
public static class MountCommand
{
    public static string Format(string? source, string target, string? type, MountFlags flags, string? data)
    {
        string t = ShellQuote.Quote(target);
        MountFlags propagation = flags & (MountFlags.Private | MountFlags.Slave | MountFlags.Shared);
        if (propagation != 0 && !flags.HasFlag(MountFlags.Bind) && !flags.HasFlag(MountFlags.Remount))
        {
            string kind = propagation.HasFlag(MountFlags.Slave) ? "slave" : propagation.HasFlag(MountFlags.Shared) ? "shared" : "private";
            return $"mount --make-{(flags.HasFlag(MountFlags.Recursive) ? "r" : "")}{kind} {t}";
        }
        var options = new List<string>();
        if (flags.HasFlag(MountFlags.ReadOnly)) options.Add("ro");
        if (flags.HasFlag(MountFlags.NoSuid)) options.Add("nosuid");
        if (flags.HasFlag(MountFlags.NoDev)) options.Add("nodev");
        if (flags.HasFlag(MountFlags.NoExec)) options.Add("noexec");
        if (!string.IsNullOrEmpty(data)) options.Add(data);
        string o = options.Count > 0 ? " -o " + ShellQuote.Quote(string.Join(',', options)) : "";
        if (flags.HasFlag(MountFlags.Remount))
            return $"mount -o {ShellQuote.Quote("remount" + (flags.HasFlag(MountFlags.Bind) ? ",bind" : "") + (options.Count > 0 ? "," + string.Join(',', options) : ""))} {t}";
        if (flags.HasFlag(MountFlags.Bind))
            return $"mount --{(flags.HasFlag(MountFlags.Recursive) ? "rbind" : "bind")}{o} {ShellQuote.Quote(source ?? "none")} {t}";
        return $"mount -t {ShellQuote.Quote(type ?? "none")} {ShellQuote.Quote(source ?? "none")}{o} {t}";
    }

    /// <summary>The mount(8) command that does what <paramref name="mount"/> does.</summary>
    public static string ToShellCommand(this MountRecord mount) => Format(mount.Source, mount.Target, mount.Type, mount.Flags, mount.Data);

    /// <summary>When the caller gave no reason: what kind of mount it is.</summary>
    public static string Why(string? source, string target, string? type, MountFlags flags) =>
        flags.HasFlag(MountFlags.Remount) ? $"{target} with changed flags"
        : (flags & (MountFlags.Private | MountFlags.Slave | MountFlags.Shared)) != 0 && !flags.HasFlag(MountFlags.Bind) ? "mount propagation"
        : flags.HasFlag(MountFlags.Bind) ? $"{source} bound at {target}"
        : $"a {type} filesystem at {target}";
}
