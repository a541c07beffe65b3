using System.Diagnostics;

namespace MiniRun.Tests.Cli;

/// <summary>
/// Issue 18, then 20: a normal user's verb that touches the store or the kernel runs rootless (RootlessTests), or says
/// in one line why it cannot, never an EPERM from deep inside; help and version stay usable.
/// </summary>
[Collection(Rootless.RootlessCollection.Name)] // its session is the rootless tests' user
public class NonRootTests : IDisposable
{
    private readonly TempDirectory _scratch = new("minirun-nonroot");

    public void Dispose() => _scratch.Dispose();

    private static readonly string[] Verbs =
    [
        "run minibox true", "create minibox", "ps", "ps -a", "images", "logs web", "exec web ls", "stop web", "kill web",
        "start web", "wait web", "rm -f web", "diff web", "commit web snap:1", "export web", "rmi minibox", "tag minibox other:1",
        "history minibox", "pull minibox", "save minibox", "inspect web", "load -i image.tar", "import rootfs.tar x:1",
        "system df", "system df -v", "system prune -f", "system check", "volume ls", "volume create data", "cp web:/etc/hostname .",
        "rename web web2", "top web", "pause web", "unpause web", "attach web", "stats --no-stream", "port web", "info",
        "mount web", "umount web", "layers minibox", "generate systemd web", "image ls", "image prune -f", "container ls",
        "container prune -f", "container rm web",
    ];

    /// <summary>Runs artifacts/minirun as nobody (uid and gid 65534, no groups), from a shell setpriv started (see PrivateStoreTests).</summary>
    private (int ExitCode, string Stdout, string Stderr) RunAsNobody(string arguments)
    {
        var psi = new ProcessStartInfo("setpriv") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (string arg in new[] { "--reuid=65534", "--regid=65534", "--clear-groups", "/bin/sh", "-c", "exec \"$0\" \"$@\"", MiniRunCli.BinaryPath, "--root", _scratch.Combine("store") })
            psi.ArgumentList.Add(arg);
        foreach (string arg in arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)) psi.ArgumentList.Add(arg);
        using Process process = Process.Start(psi)!;
        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(30_000), $"{arguments} did not finish");
        return (process.ExitCode, stdout.Result, stderr);
    }

    [RootFact]
    public void EveryVerb_AsANormalUser_RunsRootlessOrSaysWhyInOneLine()
    {
        using var session = new Rootless.RootlessSession();
        session.LoadMinibox(); // run and create would pull it otherwise
        var wrong = new List<string>();
        foreach (string verb in Verbs)
        {
            // No registry but loopback's in tests: a pull that cannot connect, in one line.
            string arguments = verb == "pull minibox" ? "pull 127.0.0.1:1/minibox" : verb;
            MiniRunCli.Result result = session.Run(arguments.Split(' '));
            string[] lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (result.ExitCode is not (0 or 1 or 125) || lines.Length > 1 || result.Stderr.Contains("needs root") || result.Stderr.Contains("   at "))
                wrong.Add($"{arguments}: {result}");
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [RootFact]
    public void HelpAndVersion_AsANormalUser_Work()
    {
        foreach (string arguments in new[] { "--help", "--version", "version", "version --format {{.Client.Version}}", "ps --help", "image --help", "help run", "completion bash", "doctor" })
        {
            (int exitCode, string stdout, string stderr) = RunAsNobody(arguments);
            Assert.True(exitCode == 0 || (arguments == "doctor" && exitCode == 1), $"{arguments}: exit {exitCode}\n{stdout}\n{stderr}");
            Assert.NotEqual("", stdout);
            Assert.DoesNotContain("needs root", stderr);
        }
    }
}
