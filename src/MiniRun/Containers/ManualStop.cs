using MiniRun.Native;

namespace MiniRun.Containers;

/// <summary>
/// What a `stop`, `kill` or `rm -f` (or a signal a foreground run forwards) tells the container's supervisor, as Docker's
/// daemon remembers it until the next `start`: the container was stopped by hand (HasBeenManuallyStopped: unless-stopped
/// does not restart it) and, for its stop signal, SIGKILL, or any signal when it has no stop signal of its own, its
/// restarts are cancelled whatever the policy (moby's killWithSignal → ExitOnNext). A file in the container's directory,
/// written before the signal is sent, so the supervisor finds it when the exit comes or while it waits to restart.
/// </summary>
public static class ManualStop
{
    private const string FileName = "stopped-by-user";
    private const string Canceled = "restart canceled\n", Manual = "manual\n";

    private static string PathOf(Container container) => Path.Combine(container.Directory, FileName);

    /// <summary>Remembers that <paramref name="signal"/> was sent by hand (for any policy: the supervisor's own exit status says it too);
    /// true when that cancels the restarts.</summary>
    public static bool Record(Container container, Signal signal)
    {
        bool cancels = signal == Signal.Kill || container.Record.StopSignal is null || container.Record.StopSignalOrDefault() == signal;
        string path = PathOf(container);
        if (!cancels && File.Exists(path)) return false; // a cancellation is never downgraded
        try { File.WriteAllText(path, cancels ? Canceled : Manual); }
        catch (DirectoryNotFoundException) { } // removed meanwhile: nothing left to restart
        return cancels;
    }

    /// <summary>Whether the container was stopped by hand since its start, and whether that cancelled its restarts.</summary>
    public static (bool Manual, bool Canceled) Read(Container container)
    {
        string? text = KernelFiles.TryReadAll(PathOf(container));
        return (text is not null, text == Canceled);
    }

    /// <summary>A `start` by the user: restarts apply again (Docker resets HasBeenManuallyStopped there).</summary>
    public static void Clear(Container container) => File.Delete(PathOf(container));
}
