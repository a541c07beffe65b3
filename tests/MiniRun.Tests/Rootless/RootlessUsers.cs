using System.Diagnostics;

namespace MiniRun.Tests.Rootless;

/// <summary>
/// The unprivileged users the rootless tests run minirun as, made once if missing (idempotent; scripts/test.sh makes
/// them too on a fresh machine): one with a subordinate range, one without (the one-ID fallback).
/// </summary>
public static class RootlessUsers
{
    public const string WithRange = "minirun-rootless", WithoutRange = "minirun-norange";
    public const uint RangeStart = 300000, RangeCount = 65536;

    private static readonly Lazy<bool> Made = new(() =>
    {
        Ensure(WithRange);
        if (!File.ReadAllText("/etc/subuid").Contains($"{WithRange}:", StringComparison.Ordinal)
            || !File.ReadAllText("/etc/subgid").Contains($"{WithRange}:", StringComparison.Ordinal))
            Run("usermod", "--add-subuids", $"{RangeStart}-{RangeStart + RangeCount - 1}", "--add-subgids", $"{RangeStart}-{RangeStart + RangeCount - 1}", WithRange);
        Ensure(WithoutRange);
        return true;
    });

    public static void EnsureCreated() => _ = Made.Value;

    /// <summary>The user's host UID and GID (id -u, id -g).</summary>
    public static (int Uid, int Gid) Ids(string user) => (int.Parse(Run("id", "-u", user).Trim()), int.Parse(Run("id", "-g", user).Trim()));

    private static void Ensure(string user)
    {
        if (Process(["id", user]).ExitCode == 0) return;
        Run("useradd", "--system", "--create-home", "--shell", "/usr/sbin/nologin", user);
    }

    public static string Run(params string[] argv)
    {
        (int code, string output) = Process(argv);
        if (code != 0) throw new InvalidOperationException($"{string.Join(' ', argv)}: exit {code}: {output}");
        return output;
    }

    /// <summary>What the command printed on stdout, whatever its status.</summary>
    public static string Output(params string[] argv)
    {
        var psi = new ProcessStartInfo(argv[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in argv[1..]) psi.ArgumentList.Add(arg);
        using Process process = System.Diagnostics.Process.Start(psi)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        _ = stderr.Result;
        return output;
    }

    private static (int ExitCode, string Output) Process(string[] argv)
    {
        var psi = new ProcessStartInfo(argv[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in argv[1..]) psi.ArgumentList.Add(arg);
        using Process process = System.Diagnostics.Process.Start(psi)!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }
}
