using System.Diagnostics;

namespace MiniRun.Tests.Reliability;

/// <summary>Signals sent to a foreground `minirun run` go to the container's PID 1; one that ignores them is killed after the stop timeout.</summary>
public class SignalTests
{
    [RootFact]
    public void Run_SigtermForwarded_ContainerHandlesIt()
    {
        using var store = new ReliabilityStore();
        Assert.Equal(0, store.Load().ExitCode);

        (int exit, string stdout) = RunAndSignal(store, 15, "trap 'echo got TERM; exit 3' TERM; echo ready; while :; do sleep 1; done");

        Assert.Equal(3, exit);
        Assert.Contains("got TERM", stdout);
        Assert.Empty(store.Mounts());
    }

    [RootFact]
    public void Run_SigtermWithAStopSignal_ContainerGetsItsStopSignal_CtrlCStaysSigint()
    {
        using var store = new ReliabilityStore();
        Assert.Equal(0, store.Load().ExitCode);
        const string traps = "trap 'echo got USR1; exit 4' USR1; trap 'echo got INT; exit 5' INT; echo ready; while :; do sleep 1; done";

        (int exit, string stdout) = RunAndSignal(store, 15, traps, "--stop-signal", "USR1"); // a SIGTERM to minirun is a stop
        Assert.Equal(4, exit);
        Assert.Contains("got USR1", stdout);

        (exit, stdout) = RunAndSignal(store, 2, traps, "--stop-signal", "USR1"); // Ctrl-C is what the user typed
        Assert.Equal(5, exit);
        Assert.Contains("got INT", stdout);
    }

    [RootFact]
    public void Run_ContainerIgnoresSigint_KilledAfterStopTimeout()
    {
        using var store = new ReliabilityStore();
        Assert.Equal(0, store.Load().ExitCode);

        (int exit, _) = RunAndSignal(store, 2, "trap '' INT TERM; echo ready; while :; do sleep 1; done", "--stop-timeout", "1");

        Assert.Equal(137, exit);
        Assert.Empty(store.Mounts());
        Assert.Contains("Exited (137)", store.Cli.Run("ps", "-a").Stdout);
    }

    /// <summary>Starts `run IMAGE sh -c SCRIPT`, waits for "ready" on its stdout, sends the signal to minirun, waits (60 s at most).</summary>
    private static (int Exit, string Stdout) RunAndSignal(ReliabilityStore store, int signal, string script, params string[] flags)
    {
        var psi = new ProcessStartInfo(MiniRunCli.BinaryPath) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { "--root", store.Cli.StoreRoot, "run" }.Concat(flags).Concat([ReliabilityStore.Image, "sh", "-c", script]))
            psi.ArgumentList.Add(arg);
        using Process process = Process.Start(psi)!;
        try
        {
            Task<string?> ready = process.StandardOutput.ReadLineAsync();
            Assert.True(ready.Wait(TimeSpan.FromSeconds(60)) && ready.Result == "ready", "the container did not start");
            MiniRun.Native.Syscalls.Kill(process.Id, (MiniRun.Native.Signal)signal);
            Task<string> rest = process.StandardOutput.ReadToEndAsync();
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)) && rest.Wait(TimeSpan.FromSeconds(60)), "minirun did not end after the signal");
            return (process.ExitCode, rest.Result);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }
}
