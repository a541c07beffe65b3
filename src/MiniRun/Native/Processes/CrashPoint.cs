
namespace MiniRun.Native;

/// <summary>
/// Fault injection for the crash-consistency tests: with <c>MINIRUN_CRASH_AT=&lt;step&gt;</c> in the environment,
/// minirun kills itself with SIGKILL when it reaches that named step, as a power cut or the OOM killer would.
/// Unset (always, outside tests), <see cref="Reach"/> is one comparison against null.
/// </summary>
public static class CrashPoint
{
    public const string Variable = "MINIRUN_CRASH_AT";

    /// <summary>Read once: the steps below run on hot paths (every layer, every container start).</summary>
    private static readonly string? Armed = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } step ? step : null;

    /// <summary>Every named step, in the order a store's migration, a load and then a run reach them (the tests kill at each).</summary>
    public static readonly IReadOnlyList<string> Steps =
    [
        "store-migrating", "format-staged",
        "layer-unpacked", "layer-linked", "layer-published", "image-staged", "image-published", "names-staged",
        "container-staged", "container-created", "overlay-mounted", "cgroup-created", "container-started", "container-exited",
        "container-removing",
    ];

    public static void Reach(string step)
    {
        if (Armed is null || Armed != step) return;
        Syscalls.Kill(Environment.ProcessId, Signal.Kill);
        Thread.Sleep(Timeout.Infinite); // SIGKILL is delivered before kill(2) returns to us; never go on
    }
}
