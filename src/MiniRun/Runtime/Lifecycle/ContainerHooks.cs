using System.Text.Json;
using MiniRun.Native;
using MiniRun.Runtime.Spec;

namespace MiniRun.Runtime.Lifecycle;

/// <summary>
/// Runs a phase's hooks (config.md "POSIX-platform Hooks") in the runtime's namespaces, one after the other, each with
/// the state JSON on its stdin and its stdout and stderr in a file beside the state (quoted when it fails). A hook that
/// exits non-zero or outlives its timeout fails the phase: the caller decides whether that is an error (prestart,
/// createRuntime) or a warning (poststart, poststop).
/// </summary>
public static class ContainerHooks
{
    /// <param name="scratch">where the state and the hook's output are kept while it runs (removed after).</param>
    public static void Run(string phase, IReadOnlyList<OciHook>? hooks, OciState state, string scratch)
    {
        if (hooks is not { Count: > 0 }) return;
        string input = scratch + ".state", output = scratch + ".out";
        File.WriteAllBytes(input, JsonSerializer.SerializeToUtf8Bytes(state, BundleStateJsonContext.Default.OciState));
        try
        {
            for (int i = 0; i < hooks.Count; i++) RunOne($"{phase} hook {i} ({hooks[i].Path})", hooks[i], input, output);
        }
        finally
        {
            File.Delete(input);
            File.Delete(output);
        }
    }

    private static void RunOne(string name, OciHook hook, string input, string output)
    {
        if (!Path.IsPathRooted(hook.Path)) throw new MiniRunException($"config.json: {name}: a hook's path is absolute");
        if (hook.Timeout is <= 0) throw new MiniRunException($"config.json: {name}: a timeout is more than 0 seconds");
        File.Delete(output);
        int pid = ProcessControl.Spawn(hook.Path, hook.Args is { Count: > 0 } args ? args : [hook.Path], hook.Env ?? [], stdio: (input, output));
        int? status = hook.Timeout is { } seconds ? ProcessControl.WaitForExit(pid, TimeSpan.FromSeconds(seconds)) : ProcessControl.WaitForExit(pid);
        if (status == 0) return;
        string said = File.Exists(output) ? File.ReadAllText(output).Trim() : "";
        if (said.Length > 400) said = said[^400..];
        string why = status is null ? $"did not end within its timeout of {hook.Timeout} s (killed)" : $"exited with status {status}";
        throw new MiniRunException($"{name} {why}{(said.Length > 0 ? ": " + said.ReplaceLineEndings(" ") : "")}");
    }
}
