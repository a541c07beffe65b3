using System.Diagnostics;

namespace MiniRun.Fixtures;

/// <summary>Runs a host tool (bash, tar, docker, skopeo) with no shell in between and captures what it prints.</summary>
public static class ExternalCommand
{
    public sealed record Result(string Command, int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"{Command}: exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
    }

    /// <summary>Runs and returns whatever happened; <paramref name="environment"/> entries are added to ours.</summary>
    public static Result Run(string file, IEnumerable<string> args, TimeSpan? timeout = null,
        IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string arg in args) psi.ArgumentList.Add(arg);
        if (environment is not null)
            foreach (var (key, value) in environment) psi.Environment[key] = value;
        if (workingDirectory is not null) psi.WorkingDirectory = workingDirectory;

        string display = string.Join(' ', [file, .. psi.ArgumentList]);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {file}");
        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        TimeSpan limit = timeout ?? TimeSpan.FromMinutes(5);
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{display} did not finish in {limit.TotalSeconds:0} s");
        }
        return new Result(display, process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>Runs and throws, with everything it printed, unless it exits 0; returns stdout.</summary>
    public static string Check(string file, params string[] args) => CheckResult(Run(file, args));

    public static string CheckResult(Result result) =>
        result.ExitCode == 0 ? result.Stdout : throw new InvalidOperationException(result.ToString());

    /// <summary>True when <paramref name="name"/> is an executable on PATH.</summary>
    public static bool IsOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, name)));
}
