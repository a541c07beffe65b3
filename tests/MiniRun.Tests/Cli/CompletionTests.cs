using System.Diagnostics;
using MiniRun.Tests.Containers;

namespace MiniRun.Tests.Cli;

/// <summary>
/// `minirun completion bash|zsh`, as the shells run it: the bash script sourced and its function called with
/// COMP_WORDS/COMP_CWORD set, as bash does on TAB; the zsh script autoloaded by compinit from fpath (as installed)
/// and run with words/CURRENT set, compadd replaced by a function that prints what it is given.
/// </summary>
public sealed class CompletionTests(RunImageFixture fixture) : IClassFixture<RunImageFixture>, IDisposable
{
    private readonly TempDirectory _temp = new("minirun-completion");

    public void Dispose() => _temp.Dispose();

    private static string Bin => MiniRunCli.BinaryPath;

    [Fact]
    public void Bash_VerbPrefix_GivesTheVerbsItBegins()
    {
        Assert.Equal(["start", "stats", "stop"], Bash("minirun", "st"));
    }

    [Fact]
    public void Bash_RunFlagPrefix_GivesTheFlag()
    {
        Assert.Equal(["--network", "--network-alias"], Bash("minirun", "run", "--net"));
    }

    [Fact]
    public void Bash_FlagValue_GivesTheWordsOfItsValueName()
    {
        Assert.Equal(["bridge", "host", "none"], Bash("minirun", "run", "--network", ""));
        Assert.Equal(["missing", "always", "never"], Bash("minirun", "run", "--pull", ""));
        // --network=h: bash splits the word at '=' and replaces only what follows it.
        Assert.Equal(["host"], Bash("minirun", "run", "--network", "=", "h"));
    }

    [Fact]
    public void Bash_Subcommands_GiveTheirWords()
    {
        Assert.Equal(["df", "prune", "check", "info", "migrate"], Bash("minirun", "system", ""));
        Assert.Equal(["create", "ls", "inspect", "rm", "prune"], Bash("minirun", "volume", ""));
        Assert.Equal(["bash"], Bash("minirun", "completion", "b"));
        Assert.Equal(["start", "stats", "stop"], Bash("minirun", "help", "st"));
        Assert.Contains("ls", Bash("minirun", "container", "l"));
        Assert.Equal(["--filter", "--format"], Bash("minirun", "container", "ls", "--f")); // ls is ps: its flags
        Assert.Equal(["--network", "--network-alias"], Bash("minirun", "container", "run", "--net"));
    }

    [Fact]
    public void Bash_AfterTheImage_FlagsAreTheCommands()
    {
        Assert.Empty(Bash("minirun", "run", "--rm", "minibox", "--net"));
    }

    [Fact]
    public void MakeInstall_PutsBothScriptsWhereTheShellsLook_AndTheyComplete()
    {
        string destdir = _temp.Combine("destdir");
        // -o: the binary under test is taken as it is, never rebuilt here.
        var make = Process.Start(new ProcessStartInfo("make", ["-C", MiniRunCli.RepositoryRoot, "-o", Bin, "install",
            $"BIN={Bin}", $"DESTDIR={destdir}", "PREFIX=/usr"]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        string makeError = make.StandardError.ReadToEnd();
        make.StandardOutput.ReadToEnd();
        make.WaitForExit();
        Assert.True(make.ExitCode == 0, makeError);

        string bash = Path.Combine(destdir, "usr/share/bash-completion/completions/minirun");
        string zshDirectory = Path.Combine(destdir, "usr/share/zsh/vendor-completions");
        Assert.True(File.Exists(Path.Combine(destdir, "usr/bin/minirun")));
        (string stdout, _) = Shell("bash", "source \"$1\"; COMP_WORDS=(minirun st); COMP_CWORD=1; _minirun; printf '%s\\n' \"${COMPREPLY[@]}\"", bash);
        Assert.Equal(["start", "stats", "stop"], stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        (stdout, _) = Shell("zsh",
            "fpath=(\"$1\" $fpath); autoload -U compinit && compinit -u -D || exit 1; " +
            "compadd() { [[ $1 == -- ]] && shift; print -rl -- \"$@\"; }; words=(minirun run --net); CURRENT=3; _minirun", zshDirectory);
        Assert.Contains("--network", stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Completion_UnknownShell_IsAUsageError()
    {
        MiniRunCli.Result result = new MiniRunCli(_temp.Combine("store")).Run("completion", "fish");

        Assert.Equal(125, result.ExitCode);
        Assert.Equal("minirun: minirun completion fish: only bash and zsh are supported\n", result.Stderr);
    }

    [RootFact]
    public void Bash_ContainerOperand_GivesTheNamesInTheStoreOfTheCommandLine()
    {
        string name = "complete-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            fixture.Cli.RunOk("create", "--name", name, fixture.Image, "true");

            Assert.Contains(name, Bash(Bin, "--root", fixture.Cli.StoreRoot, "stop", ""));
            Assert.Contains(name, Bash(Bin, $"--root={fixture.Cli.StoreRoot}", "logs", "--since", "1m", "")); // 1m is --since's
            Assert.Equal([name], Bash(Bin, "--root", fixture.Cli.StoreRoot, "rm", "-f", name[..9]));
            Assert.Equal([name], Bash(Bin, "--root", fixture.Cli.StoreRoot, "container", "rm", name[..9])); // rm's operands
            Assert.Empty(Bash(Bin, "--root", fixture.Cli.StoreRoot, "rename", name, "")); // NEW_NAME: anything
        }
        finally
        {
            fixture.Cli.Run("rm", "-f", name);
        }
    }

    [RootFact]
    public void Bash_ImageOperand_GivesImageNames_AlsoAfterTheColon()
    {
        Assert.Equal(["runtest:latest"], Bash(Bin, "--root", fixture.Cli.StoreRoot, "run", "--rm", ""));
        Assert.Equal(["runtest:latest"], Bash(Bin, "--root", fixture.Cli.StoreRoot, "rmi", "run"));
        // "runtest:" is split at ':' by bash: the tag alone is what replaces the word after it.
        Assert.Equal(["latest"], Bash(Bin, "--root", fixture.Cli.StoreRoot, "create", "runtest", ":"));
    }

    [Fact]
    public void Zsh_AutoloadedByCompinit_GivesVerbsAndFlags()
    {
        // zsh filters by the prefix itself (compadd): the script hands it every verb, every flag.
        List<string> verbs = Zsh("minirun", "st");
        Assert.Contains("start", verbs);
        Assert.Contains("stats", verbs);
        Assert.Contains("stop", verbs);
        Assert.Contains("volume", verbs);
        List<string> flags = Zsh("minirun", "run", "--net");
        Assert.Contains("--network", flags);
        Assert.Contains("--rm", flags);
        Assert.Equal(["bridge", "host", "none"], Zsh("minirun", "run", "--network", ""));
        Assert.Equal(["<files>"], Zsh("minirun", "run", "minibox", "")); // the container's command: zsh's files
    }

    [Fact]
    public void Zsh_Sourced_RegistersItselfWithCompdef()
    {
        string script = _temp.Combine("_minirun");
        File.WriteAllText(script, new MiniRunCli(_temp.Combine("store")).RunOk("completion", "zsh").Stdout);

        (string stdout, string stderr) = Shell("zsh", "autoload -U compinit && compinit -u -D && source \"$1\" && print -r -- $_comps[minirun]", script);

        Assert.Equal("", stderr);
        Assert.Equal("_minirun\n", stdout);
    }

    [RootFact]
    public void Zsh_ContainerOperand_GivesTheNamesInTheStoreOfTheCommandLine()
    {
        string name = "complete-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            fixture.Cli.RunOk("create", "--name", name, fixture.Image, "true");

            Assert.Contains(name, Zsh(Bin, "--root", fixture.Cli.StoreRoot, "stop", ""));
            Assert.Contains("runtest:latest", Zsh(Bin, "--root", fixture.Cli.StoreRoot, "run", ""));
        }
        finally
        {
            fixture.Cli.Run("rm", "-f", name);
        }
    }

    /// <summary>COMPREPLY for the command line <paramref name="words"/>, the last being the word under the cursor.</summary>
    private List<string> Bash(params string[] words)
    {
        string script = Script("bash", "minirun.bash");
        (string stdout, string stderr) = Shell("bash",
            "source \"$1\"; shift; COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); _minirun; " +
            "[ ${#COMPREPLY[@]} -eq 0 ] || printf '%s\\n' \"${COMPREPLY[@]}\"", [script, .. words]);
        Assert.Equal("", stderr);
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }

    /// <summary>What _minirun hands compadd (or "&lt;files&gt;" for zsh's file completion), autoloaded from fpath.</summary>
    private List<string> Zsh(params string[] words)
    {
        string directory = Path.GetDirectoryName(Script("zsh", Path.Combine("zsh", "_minirun")))!;
        (string stdout, string stderr) = Shell("zsh",
            "fpath=(\"$1\" $fpath); shift; autoload -U compinit && compinit -u -D || exit 1; " +
            "compadd() { [[ $1 == -- ]] && shift; print -rl -- \"$@\"; }; _files() { print -r -- '<files>'; }; " +
            "words=(\"$@\"); CURRENT=$#; _minirun", [directory, .. words]);
        Assert.Equal("", stderr);
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }

    private string Script(string shell, string file)
    {
        string path = _temp.Combine(file);
        if (File.Exists(path)) return path;
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, new MiniRunCli(_temp.Combine("store")).RunOk("completion", shell).Stdout);
        return path;
    }

    /// <summary>`SHELL -c SCRIPT` with arguments, as a user's shell without their rc files (zsh -f, bash --norc).</summary>
    private static (string Stdout, string Stderr) Shell(string shell, string script, params string[] args)
    {
        var psi = new ProcessStartInfo(shell) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(shell == "zsh" ? "-f" : "--norc");
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        psi.ArgumentList.Add(shell);
        foreach (string arg in args) psi.ArgumentList.Add(arg);
        using var process = Process.Start(psi)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{shell} completion did not finish in 30 s");
        }
        Assert.True(process.ExitCode == 0, $"{shell} exited {process.ExitCode}: {stderr.Result}");
        return (stdout.Result, stderr.Result);
    }
}
