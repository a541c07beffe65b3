using MiniRun.Fixtures;

namespace MiniRun.Tests.Containers;

/// <summary>
/// Docker's stdin and attach behaviour: `run -dit` then `attach` in a real terminal (tmux) with the detach keys,
/// `start -a` and `start -ai`, `-i` streaming stdin, and stdin from /dev/null without it (run and exec).
/// </summary>
public class AttachTests(RunImageFixture fixture) : IClassFixture<RunImageFixture>
{
    private MiniRunCli Cli => fixture.Cli;

    private string Minirun => $"{MiniRunCli.BinaryPath} --root {Cli.StoreRoot}";

    private static string WithoutSize(string stty) => System.Text.RegularExpressions.Regex.Replace(stty, @"rows \d+; columns \d+;", "");

    /// <summary>`sh -c SCRIPT` with "$@" the minirun command line: a user's pipes and `&amp;`.</summary>
    private ExternalCommand.Result Shell(string script) =>
        ExternalCommand.Run("sh", ["-c", script, "sh", MiniRunCli.BinaryPath, "--root", Cli.StoreRoot], TimeSpan.FromSeconds(60));

    private bool IsRunning(string name) => Cli.RunOk("ps").Stdout.Contains(name, StringComparison.Ordinal);

    [RootFact]
    public void RunDit_AttachDetachReattachExit_LeavesItRunningThenEndsWithItsStatus()
    {
        const string name = "attach-tty";
        Cli.RunOk("run", "-dit", "--name", name, fixture.Image, "sh");
        try
        {
            using var terminal = new TmuxTerminal(columns: 100, rows: 30);
            string before = fixture.Scratch.Combine("attach.before"), after = fixture.Scratch.Combine("attach.after");
            terminal.TypeLine($"stty -a > {before}; {Minirun} attach {name}; echo exit=$?; stty -a > {after}; echo host-$((1+1))");
            terminal.WaitFor("/srv #"); // the shell's prompt again: attach resizes its terminal, as docker attach does
            terminal.TypeLine("echo in-box-$((6*7)); stty size");
            terminal.WaitFor("in-box-42");
            terminal.WaitFor("30 100"); // the terminal has our window's size (stty's line comes after the echo's: waited for, not looked for)

            terminal.Keys("C-p", "C-q");
            string screen = terminal.WaitFor("host-2");
            Assert.Contains("read escape sequence", screen); // Docker's words and status
            Assert.Contains("exit=1", screen);
            Assert.Equal(WithoutSize(File.ReadAllText(before)), WithoutSize(File.ReadAllText(after)));
            Assert.Contains(" icanon", " " + File.ReadAllText(after)); // cooked, as it was: not left raw
            Assert.True(IsRunning(name), "the container stopped when its attach detached");

            // Other keys with --detach-keys; a lone first key of the sequence reaches the container as typed.
            terminal.TypeLine($"{Minirun} attach --detach-keys ctrl-x,x {name}; echo exit=$?; echo host-$((2+1))");
            terminal.TypeLine("echo second-$((2*2))");
            terminal.WaitFor("second-4");
            terminal.Keys("C-x", "x");
            Assert.Contains("exit=1", terminal.WaitFor("host-3"));
            Assert.True(IsRunning(name), "the container stopped when its attach detached");

            terminal.TypeLine($"{Minirun} attach {name}; echo exit=$?; echo host-$((2+2))");
            terminal.TypeLine("echo third-$((3*3))");
            terminal.WaitFor("third-9");
            terminal.TypeLine("exit 3");
            Assert.Contains("exit=3", terminal.WaitFor("host-4")); // the shell's exit ends the attach with its status
            Assert.False(IsRunning(name));

            string logs = Cli.RunOk("logs", name).Stdout; // what it showed while detached and attached, as docker logs has it
            Assert.Contains("in-box-42", logs);
            Assert.Contains("third-9", logs);
        }
        finally
        {
            Cli.Run("rm", "-f", name);
        }
    }

    [RootFact]
    public void StartA_CreatedContainer_ShowsItsOutputAndReturnsItsExitStatus()
    {
        const string name = "attach-start";
        Cli.RunOk("create", "--name", name, fixture.Image, "sh", "-c", "echo out; echo err >&2; exit 3");
        try
        {
            MiniRunCli.Result first = Cli.Run("start", "-a", name);
            Assert.True(first.ExitCode == 3, first.ToString());
            Assert.Equal("out\n", first.Stdout);
            Assert.Equal("err\n", first.Stderr);

            MiniRunCli.Result again = Cli.Run("start", "-a", name); // a stopped container, started attached once more
            Assert.True(again.ExitCode == 3, again.ToString());
            Assert.Equal("out\n", again.Stdout);
            Assert.Contains("Exited (3)", Cli.RunOk("ps", "-a").Stdout);
        }
        finally
        {
            Cli.Run("rm", "-f", name);
        }
    }

    [RootFact]
    public void StartA_CommandNotFound_SaysWhyAndExits127()
    {
        const string name = "attach-start-127";
        Cli.RunOk("create", "--name", name, fixture.Image, "/no/such/command");
        try
        {
            MiniRunCli.Result result = Cli.Run("start", "-a", name);
            Assert.True(result.ExitCode == 127, result.ToString());
            Assert.Contains("/no/such/command", result.Stderr); // the init stage's reason, on the container's stderr
        }
        finally
        {
            Cli.Run("rm", "-f", name);
        }
    }

    [RootFact]
    public void StartA_LargeOutputToASlowReader_ArrivesWhole()
    {
        const string name = "attach-start-large";
        Cli.RunOk("create", "--name", name, fixture.Image, "dd", "if=/dev/zero", "bs=1000", "count=5000");
        try
        {
            // The reader starts late: the attach lags behind, and the container's output waits for it (not dropped).
            ExternalCommand.Result result = Shell($"\"$@\" start -a {name} 2>/dev/null | (sleep 2; wc -c)");
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Equal("5000000", result.Stdout.Trim());
        }
        finally
        {
            Cli.Run("rm", "-f", name);
        }
    }

    [RootFact]
    public void StartAi_CreatedWithI_PipesStdinAndEndsIt()
    {
        const string name = "attach-start-i";
        Cli.RunOk("create", "-i", "--name", name, fixture.Image, "sh", "-c", "cat; echo cat-ended");
        try
        {
            // The end of our input is the container's (StdinOnce, as a created container has it): cat ends.
            ExternalCommand.Result result = Shell($"printf 'hi\\nthere\\n' | \"$@\" start -ai {name}");
            Assert.True(result.ExitCode == 0, result.ToString());
            Assert.Equal("hi\nthere\ncat-ended\n", result.Stdout);
        }
        finally
        {
            Cli.Run("rm", "-f", name);
        }
    }

    [RootFact]
    public void RunDi_AttachWithPipedInput_ReachesItsStdin_AndEndsWithItsStatus()
    {
        const string name = "attach-di";
        Cli.RunOk("run", "-di", "--name", name, fixture.Image, "sh", "-c", "read line; echo got $line; exit 4");
        try
        {
            ExternalCommand.Result result = Shell($"echo hello | \"$@\" attach {name}");
            Assert.True(result.ExitCode == 4, result.ToString());
            Assert.Equal("got hello\n", result.Stdout);
        }
        finally
        {
            Cli.Run("rm", "-f", name);
        }
    }

    [RootFact]
    public void Attach_ContainerWithoutTerminal_StreamsItsNewOutput_StdoutAndStderrApart()
    {
        const string name = "attach-stream";
        Cli.RunOk("run", "-d", "--name", name, fixture.Image, "sh", "-c",
            "until [ -e /tmp/go ]; do echo tick; sleep 0.1; done; echo one; echo two >&2; exit 7");
        try
        {
            string output = fixture.Scratch.Combine("attach.out"), errors = fixture.Scratch.Combine("attach.err");
            // Once the attach shows a tick it is connected: then the container is let go.
            ExternalCommand.Result result = Shell(
                $"\"$@\" attach {name} > {output} 2> {errors} & pid=$!; i=0; " +
                $"until grep -q tick {output}; do sleep 0.1; i=$((i+1)); [ $i -lt 200 ] || break; done; " +
                $"\"$@\" exec {name} touch /tmp/go; wait $pid");
            Assert.True(result.ExitCode == 7, result + "\n" + File.ReadAllText(output) + File.ReadAllText(errors));
            Assert.EndsWith("tick\none\n", File.ReadAllText(output));
            Assert.Equal("two\n", File.ReadAllText(errors));
        }
        finally
        {
            Cli.Run("rm", "-f", name);
        }
    }

    [RootFact]
    public void Attach_SigtermToTheAttach_GoesToTheContainer()
    {
        const string name = "attach-sig-proxy";
        Cli.RunOk("run", "-d", "--name", name, fixture.Image, "sh", "-c", "trap 'echo got-term; exit 9' TERM; while true; do echo tick; sleep 0.1; done");
        try
        {
            string output = fixture.Scratch.Combine("proxy.out");
            ExternalCommand.Result result = Shell(
                $"\"$@\" attach {name} > {output} & pid=$!; i=0; " +
                $"until grep -q tick {output}; do sleep 0.1; i=$((i+1)); [ $i -lt 200 ] || break; done; kill -TERM $pid; wait $pid");
            Assert.True(result.ExitCode == 9, result + "\n" + File.ReadAllText(output)); // --sig-proxy, Docker's default
            Assert.EndsWith("got-term\n", File.ReadAllText(output));
        }
        finally
        {
            Cli.Run("rm", "-f", name);
        }
    }

    [RootFact]
    public void Attach_StoppedContainer_IsRefusedAsDockerDoes()
    {
        const string name = "attach-stopped";
        Cli.RunOk("create", "--name", name, fixture.Image, "true");
        try
        {
            MiniRunCli.Result result = Cli.Run("attach", name);
            Assert.Equal(1, result.ExitCode);
            Assert.Contains("You cannot attach to a stopped container, start it first", result.Stderr);
        }
        finally
        {
            Cli.Run("rm", "-f", name);
        }
    }

    [RootFact]
    public void Attach_TerminalContainerFromAPipe_IsRefusedAsDockerDoes_AndItsSocketIsRootsOnly()
    {
        const string name = "attach-notty";
        string id = Cli.RunOk("run", "-dit", "--name", name, fixture.Image, "sh").Stdout.Trim();
        try
        {
            ExternalCommand.Result result = Shell($"echo hi | \"$@\" attach {name}");
            Assert.Equal(1, result.ExitCode);
            Assert.Contains("the input device is not a TTY", result.Stderr);
            Assert.True(IsRunning(name));

            var socket = new FileInfo(Path.Combine(Cli.StoreRoot, "containers", id, "attach.sock"));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, socket.UnixFileMode);
            MiniRun.Native.FileStatus status = MiniRun.Native.Syscalls.TryLStat(socket.FullName)!;
            Assert.Equal(0xC000u, status.Mode & 0xF000u); // S_IFSOCK
            Assert.Equal(0u, status.Uid);
        }
        finally
        {
            Cli.Run("rm", "-f", name);
        }
    }

    [RootFact]
    public void RunI_PipedStdin_ReachesTheCommand()
    {
        ExternalCommand.Result result = Shell($"echo hi | \"$@\" run --rm -i {fixture.Image} cat");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("hi\n", result.Stdout);
    }

    [RootFact]
    public void Run_WithoutI_StdinIsDevNull()
    {
        // As Docker: without -i the command reads end of file at once, whatever is piped to minirun.
        ExternalCommand.Result result = Shell($"echo hi | \"$@\" run --rm {fixture.Image} sh -c 'cat; read line; echo read=$?'");
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("read=1\n", result.Stdout);
    }

    [RootFact]
    public void Exec_WithAndWithoutI_StdinIsOursOrDevNull()
    {
        const string name = "attach-exec";
        Cli.RunOk("run", "-d", "--name", name, fixture.Image, "sleep", "300");
        try
        {
            ExternalCommand.Result with = Shell($"echo hi | \"$@\" exec -i {name} cat");
            Assert.True(with.ExitCode == 0, with.ToString());
            Assert.Equal("hi\n", with.Stdout);

            ExternalCommand.Result without = Shell($"echo hi | \"$@\" exec {name} cat");
            Assert.True(without.ExitCode == 0, without.ToString());
            Assert.Equal("", without.Stdout);
        }
        finally
        {
            Cli.Run("rm", "-f", name);
        }
    }
}
