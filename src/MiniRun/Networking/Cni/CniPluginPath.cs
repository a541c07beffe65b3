namespace MiniRun.Networking.Cni;

/// <summary>
/// Where plugin binaries are looked for, in order (the CNI_PATH the runtime hands each plugin): $MINIRUN_CNI_PATH
/// (colon-separated) when set, else the usual places, /opt/cni/bin (upstream's) and /usr/lib/cni (Debian's).
/// </summary>
public sealed record CniPluginPath(IReadOnlyList<string> Directories)
{
    public static readonly IReadOnlyList<string> DefaultDirectories = ["/opt/cni/bin", "/usr/lib/cni"];

    public static CniPluginPath FromEnvironment()
    {
        string? configured = Environment.GetEnvironmentVariable("MINIRUN_CNI_PATH");
        return new CniPluginPath(string.IsNullOrEmpty(configured) ? DefaultDirectories : configured.Split(':', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>CNI_PATH's value.</summary>
    public override string ToString() => string.Join(':', Directories);

    /// <summary>The executable for plugin <paramref name="type"/> (a conflist's "type"), first match in order.</summary>
    public string Find(string type)
    {
        // The type comes from a config file: a path in it would run any program (libcni's FindInPath refuses it too).
        if (type.Length == 0 || type.Contains('/') || type.Contains('\0') || type is "." or "..")
            throw new InvalidInputException($"CNI plugin type \"{type}\" is not a plugin name");
        foreach (string dir in Directories)
        {
            string candidate = Path.Combine(dir, type);
            if (File.Exists(candidate) && (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0)
                return candidate;
        }
        throw new MiniRunException($"CNI plugin {type}: not found in {this} (install containernetworking-plugins, or set MINIRUN_CNI_PATH)");
    }
}
