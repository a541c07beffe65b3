using System.Diagnostics;
using MiniRun.Native;

namespace MiniRun.Tests.Runtime.Engines;

/// <summary>
/// A daemon a test starts for itself (dockerd, containerd): its output in a log file, stopped with SIGTERM (then
/// SIGKILL) and reaped when disposed. <see cref="WaitUntil"/> fails with the log's tail when it never gets ready.
/// </summary>
internal sealed class EngineDaemon : IDisposable
{
    private readonly Process _process;
    private readonly string _log;

    public EngineDaemon(string file, IEnumerable<string> args, string log)
    {
        _log = log;
        var psi = new ProcessStartInfo("sh") { UseShellExecute = false };
        // The shell only redirects: exec makes the daemon this PID, our child.
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("exec \"$0\" \"$@\" >>\"$LOG\" 2>&1 </dev/null");
        psi.ArgumentList.Add(file);
        foreach (string arg in args) psi.ArgumentList.Add(arg);
        psi.Environment["LOG"] = log;
        _process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
    }

    public int Pid => _process.Id;

    public string LogTail => File.Exists(_log) ? string.Join('\n', File.ReadAllLines(_log).TakeLast(30)) : "(no log)";

    public void WaitUntil(Func<bool> ready, string what, int seconds = 60)
    {
        for (DateTime end = DateTime.UtcNow.AddSeconds(seconds); DateTime.UtcNow < end; Thread.Sleep(200))
        {
            if (_process.HasExited) throw new InvalidOperationException($"{what}: the daemon exited ({_process.ExitCode}):\n{LogTail}");
            if (ready()) return;
        }
        throw new TimeoutException($"{what}: not ready after {seconds} s:\n{LogTail}");
    }

    public void Dispose()
    {
        if (_process.HasExited) return;
        Syscalls.Kill(_process.Id, Signal.Term);
        if (!_process.WaitForExit(TimeSpan.FromSeconds(30))) _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
    }
}
