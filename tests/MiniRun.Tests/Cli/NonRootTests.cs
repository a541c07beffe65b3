using System.Diagnostics;

namespace MiniRun.Tests.Cli;

/// <summary>
/// Issue 18: a normal user gets one line saying what is needed (root) and exit 125 from every verb that touches the
/// store or the kernel, instead of an EPERM from deep inside; help and version stay usable.
/// </summary>
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
    public void EveryVerb_AsANormalUser_SaysItNeedsRootInOneLine_Exit125()
    {
        var wrong = new List<string>();
        foreach (string verb in Verbs)
        {
            (int exitCode, string stdout, string stderr) = RunAsNobody(verb);
            // The command as typed: `image ls`, not the verb it runs (images).
            string typed = verb.StartsWith("image ", StringComparison.Ordinal) || verb.StartsWith("container ", StringComparison.Ordinal)
                ? string.Join(' ', verb.Split(' ')[..2]) : verb.Split(' ')[0];
            if (exitCode != 125 || stdout != ""
                || stderr != $"minirun: '{typed}' needs root: containers and their store are root's; run it with sudo (rootless mode is not available yet)\n")
                wrong.Add($"{verb}: exit {exitCode}, stdout {stdout.Length} bytes, stderr: {stderr}");
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
        Assert.False(Directory.Exists(_scratch.Combine("store")), "nothing is made for a user who cannot use it");
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
