namespace MiniRun.Runtime.Spec;

/// <summary>
/// config.md "POSIX-platform Hooks": programs the runtime runs at points of the lifecycle, each with the container's
/// state on its stdin. MiniRun runs those of the runtime's namespace (prestart, createRuntime, poststart, poststop);
/// createContainer and startContainer, which run inside the container, are refused by name.
/// </summary>
public sealed class OciHooks
{
    public List<OciHook>? Prestart { get; set; }
    public List<OciHook>? CreateRuntime { get; set; }
    public List<OciHook>? CreateContainer { get; set; }
    public List<OciHook>? StartContainer { get; set; }
    public List<OciHook>? Poststart { get; set; }
    public List<OciHook>? Poststop { get; set; }
}

/// <summary>One hook: an absolute path, its argv (argv[0] included) and environment, and a timeout in seconds.</summary>
public sealed class OciHook
{
    public required string Path { get; set; }
    public List<string>? Args { get; set; }
    public List<string>? Env { get; set; }
    public int? Timeout { get; set; }
}
