using System.Diagnostics;
using System.Text;

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

    [RootFact]
    public void Run_ContainerIgnoresSigint_ThirdCtrlCKillsItAtOnce_AndStderrSaysSo()
    {
        using var store = new ReliabilityStore();
        Assert.Equal(0, store.Load().ExitCode);

        // The default stop timeout (10 s) would end it too: three interrupts must do it well before. Its PID 1 goes on
        // running after each SIGINT and says it got it. Each next one is sent once the last was acted on (the notice, then
        // the container's line), not after a fixed pause: on a busy machine the notice may come late, and two SIGINTs
        // sent while minirun is not scheduled are one; the stop timeout would kill it then.
        Signalled run = RunAndSignalEach(store, "trap 'n=$((n+1)); echo got-int-$n' INT; echo ready; while :; do sleep 0.1; done", [],
            (2, TimeSpan.Zero, "press Ctrl-C twice more"), (2, TimeSpan.Zero, "got-int-2"), (2, TimeSpan.Zero, null));

        Assert.Equal(137, run.Exit);
        Assert.True(run.Elapsed < TimeSpan.FromSeconds(7), $"killed only after {run.Elapsed}");
        Assert.Equal(["minirun: sent SIGINT to the container, which goes on running; press Ctrl-C twice more to kill it, or it is killed 10 s after the first",
            "minirun: got 3 SIGINT/SIGTERMs: killing the container (SIGKILL)"], run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Empty(store.Mounts());
        Assert.Empty(store.Cli.Run("ps", "-aq").Stdout); // --rm still removed it
    }

    [RootFact]
    public void Run_ContainerHandlesSigint_ExitsWithItsStatus_NothingSaid()
    {
        using var store = new ReliabilityStore();
        Assert.Equal(0, store.Load().ExitCode);

        // A busy loop: the shell runs its trap between two commands, at once (a `sleep` would delay it).
        Signalled run = RunAndSignalEach(store, "trap 'echo got INT; exit 3' INT; echo ready; while :; do :; done", [], (2, TimeSpan.Zero, null));

        Assert.Equal(3, run.Exit);
        Assert.Contains("got INT", run.Stdout);
        Assert.Equal("", run.Stderr); // it ended within the notice's delay: nothing to tell
    }

    [RootFact]
    public void Run_SecondCtrlC_DoesNotPostponeTheStopTimeoutsKill()
    {
        using var store = new ReliabilityStore();
        Assert.Equal(0, store.Load().ExitCode);

        // Killed 3 s after the first SIGINT; were the second to restart the wait, it would be 3 s after the second (at 5 s).
        Signalled run = RunAndSignalEach(store, "trap '' INT; echo ready; while :; do sleep 1; done", ["--stop-timeout", "3"],
            (2, TimeSpan.FromSeconds(2), null), (2, TimeSpan.Zero, null));

        Assert.Equal(137, run.Exit);
        Assert.True(run.Elapsed < TimeSpan.FromSeconds(4.5), $"killed only after {run.Elapsed}");
        Assert.EndsWith("minirun: the container did not stop within 3 s of SIGINT: killing it (SIGKILL)\n", run.Stderr);
    }

    private sealed record Signalled(int Exit, string Stdout, string Stderr, TimeSpan Elapsed);

    /// <summary>
    /// Starts `run --rm FLAGS IMAGE sh -c SCRIPT`, waits for "ready", then sends each signal to minirun and, after it,
    /// waits until its stdout or stderr says Until (if given) and pauses as told; Elapsed runs from the first signal to minirun's exit.
    /// </summary>
    private static Signalled RunAndSignalEach(ReliabilityStore store, string script, string[] flags, params (int Signal, TimeSpan Then, string? Until)[] signals)
    {
        var psi = new ProcessStartInfo(MiniRunCli.BinaryPath) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { "--root", store.Cli.StoreRoot, "run", "--rm" }.Concat(flags).Concat([ReliabilityStore.Image, "sh", "-c", script]))
            psi.ArgumentList.Add(arg);
        using Process process = Process.Start(psi)!;
        try
        {
            var stderr = new StringBuilder();
            Task errors = Collect(process.StandardError, stderr);
            Task<string?> ready = process.StandardOutput.ReadLineAsync();
            Assert.True(ready.Wait(TimeSpan.FromSeconds(60)) && ready.Result == "ready", "the container did not start");
            var stdout = new StringBuilder(); // what follows "ready"
            Task rest = Collect(process.StandardOutput, stdout);
            var clock = Stopwatch.StartNew();
            foreach ((int signal, TimeSpan then, string? until) in signals)
            {
                if (process.HasExited) break;
                MiniRun.Native.Syscalls.Kill(process.Id, (MiniRun.Native.Signal)signal);
                for (DateTime end = DateTime.UtcNow.AddSeconds(30); until is not null && !process.HasExited; Thread.Sleep(10))
                {
                    if (Text(stdout).Contains(until, StringComparison.Ordinal) || Text(stderr).Contains(until, StringComparison.Ordinal)) break;
                    Assert.True(DateTime.UtcNow < end, $"never said \"{until}\": {Text(stdout)}{Text(stderr)}");
                }
                Thread.Sleep(then);
            }
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "minirun did not end after the signals");
            TimeSpan elapsed = clock.Elapsed;
            Assert.True(rest.Wait(TimeSpan.FromSeconds(60)) && errors.Wait(TimeSpan.FromSeconds(60)));
            return new Signalled(process.ExitCode, Text(stdout), Text(stderr), elapsed);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }

    /// <summary>Appends what <paramref name="reader"/> gives to <paramref name="text"/> as it comes, until its end.</summary>
    private static Task Collect(StreamReader reader, StringBuilder text) => Task.Run(() =>
    {
        char[] buffer = new char[4096];
        for (int n; (n = reader.Read(buffer)) > 0;)
            lock (text) text.Append(buffer, 0, n);
    });

    private static string Text(StringBuilder text)
    {
        lock (text) return text.ToString();
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
