using System.Diagnostics;

namespace MiniRun.Tests.Support;

/// <summary>Runs the real `minirun` binary (as a user would) against a store of the test's own.</summary>
public sealed class MiniRunCli
{
    /// <summary>$MINIRUN_BIN, else the repository's artifacts/minirun (what `make` builds).</summary>
    public static string BinaryPath
    {
        get
        {
            string? fromEnv = Environment.GetEnvironmentVariable("MINIRUN_BIN");
            if (!string.IsNullOrEmpty(fromEnv)) return fromEnv;
            string path = Path.Combine(RepositoryRoot, "artifacts", "minirun");
            if (!File.Exists(path)) throw new InvalidOperationException($"{path} is missing: run `make` first (make test does)");
            return path;
        }
    }

    public static string RepositoryRoot
    {
        get
        {
            string? dir = AppContext.BaseDirectory;
            while (dir is not null && !File.Exists(Path.Combine(dir, "MiniRun.sln"))) dir = Path.GetDirectoryName(dir);
            return dir ?? throw new InvalidOperationException("cannot find the repository root (MiniRun.sln) above the test binary");
        }
    }

    public string StoreRoot { get; }

    /// <summary>The binary this instance runs: <see cref="BinaryPath"/> unless the test gave a copy of its own.</summary>
    public string Binary => _binary ?? BinaryPath;

    private readonly string? _binary;

    /// <param name="binary">a copy of minirun to run instead (a test that lets a container attack the binary).</param>
    public MiniRunCli(string storeRoot, string? binary = null)
    {
        StoreRoot = storeRoot;
        _binary = binary;
    }

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
    }

    /// <summary>Runs `minirun --root STORE args...` with no terminal, stdin empty, and waits (60 s at most).</summary>
    public Result Run(params string[] args) => RunWithInput(null, args);

    /// <summary>As <see cref="Run"/>, asserting that it succeeded (the whole result in the failure message).</summary>
    public Result RunOk(params string[] args)
    {
        Result result = Run(args);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    public Result RunWithInput(string? stdin, params string[] args) => Run(stdin, null, args);

    /// <summary>Runs with the bytes of <paramref name="file"/> on stdin, through a pipe (as `cat file | minirun …`).</summary>
    public Result RunWithInputFile(string file, params string[] args) => Run(null, null, args, file);

    /// <summary>Runs with extra environment variables (e.g. DOCKER_CONFIG).</summary>
    public Result RunWithEnvironment(IReadOnlyDictionary<string, string> environment, params string[] args) => Run(null, environment, args);

    /// <summary>Runs with <paramref name="stdin"/> on stdin and extra environment variables (login --password-stdin).</summary>
    public Result RunWithInputAndEnvironment(string stdin, IReadOnlyDictionary<string, string> environment, params string[] args) => Run(stdin, environment, args);

    private Result Run(string? stdin, IReadOnlyDictionary<string, string>? environment, string[] args, string? stdinFile = null)
    {
        var psi = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("--root");
        psi.ArgumentList.Add(StoreRoot);
        foreach (string arg in args) psi.ArgumentList.Add(arg);
        if (environment is not null)
            foreach ((string key, string value) in environment) psi.Environment[key] = value;
        using var process = Process.Start(psi)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null) process.StandardInput.Write(stdin);
        if (stdinFile is not null)
        {
            // minirun may refuse the input before reading all of it: a closed pipe is then no failure of the test.
            try
            {
                using FileStream input = File.OpenRead(stdinFile);
                input.CopyTo(process.StandardInput.BaseStream);
            }
            catch (IOException) { }
        }
        try { process.StandardInput.Close(); }
        catch (IOException) { }
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"minirun {string.Join(' ', args)} did not finish in 60 s");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }
}
