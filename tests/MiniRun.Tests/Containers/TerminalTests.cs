using MiniRun.Fixtures;

namespace MiniRun.Tests.Containers;

/// <summary>
/// run -t and exec -t as a user has them: in a real terminal (tmux), a pty of the container's own devpts, the user's
/// terminal raw meanwhile and given back exactly as it was, whatever ends the container.
/// </summary>
public class TerminalTests(RunImageFixture fixture) : IClassFixture<RunImageFixture>
{
    private MiniRunCli Cli => fixture.Cli;

    private string Minirun => $"{MiniRunCli.BinaryPath} --root {Cli.StoreRoot}";

    /// <summary>Types `run -it … sh` into the terminal, with `stty -a` before and after it; waits for the container's prompt.</summary>
    private string StartShell(TmuxTerminal terminal, string flags, string name)
    {
        string before = fixture.Scratch.Combine(name + ".before"), after = fixture.Scratch.Combine(name + ".after");
        terminal.TypeLine($"stty -a > {before}; {Minirun} run -it {flags} --name {name} {fixture.Image} sh; echo exit=$?; stty -a > {after}; echo host-$((1+1))");
        terminal.WaitFor("/srv #");
        return name;
    }

    /// <summary>The host terminal's settings after the container, against before it.</summary>
    private void AssertTerminalGivenBack(TmuxTerminal terminal, string name)
    {
        terminal.WaitFor("host-2");
        // The window's size is tmux's (a test may resize it): every other setting must be as it was.
        string before = WithoutSize(File.ReadAllText(fixture.Scratch.Combine(name + ".before")));
        Assert.Equal(before, WithoutSize(File.ReadAllText(fixture.Scratch.Combine(name + ".after"))));
        Assert.Contains(" icanon", " " + before); // it was a cooked terminal, which the raw mode would have changed
    }

    private static string WithoutSize(string stty) => System.Text.RegularExpressions.Regex.Replace(stty, @"rows \d+; columns \d+;", "");

    [RootFact]
    public void RunIt_IsAPtyOfItsOwn_WithTermAndTheWindowSize_WhichFollowsAResize()
    {
        using var terminal = new TmuxTerminal(columns: 100, rows: 30);
        string name = StartShell(terminal, "--rm", "tty-size");

        terminal.TypeLine("tty; echo TERM=$TERM; stty size");
        string screen = terminal.WaitFor("30 100");
        Assert.Contains("/dev/pts/0", screen);
        Assert.Contains("TERM=xterm", screen);

        terminal.Resize(120, 40);
        terminal.TypeLine("stty size");
        terminal.WaitFor("40 120");

        terminal.TypeLine("exit 3");
        Assert.Contains("exit=3", terminal.WaitFor("host-2"));
        AssertTerminalGivenBack(terminal, name);
    }

    [RootFact]
    public void RunIt_ViTopAndJobControl_Work()
    {
        using var terminal = new TmuxTerminal();
        string name = StartShell(terminal, "--rm", "tty-programs");

        terminal.TypeLine("vi /tmp/note");
        terminal.WaitFor("\n~\n"); // vi's screen: a line of "~" for each line past the file's end
        terminal.Keys("i");
        terminal.Keys("-l", "typed in vi");
        terminal.Keys("Escape");
        Thread.Sleep(500); // else ":" right after Escape reads as one key (Alt-:)
        terminal.TypeLine(":wq");
        terminal.TypeLine("echo saved: $(cat /tmp/note)");
        terminal.WaitFor("saved: typed in vi");

        terminal.TypeLine("top");
        terminal.WaitFor("PID");
        terminal.Keys("q");
        terminal.TypeLine("echo top-$((6*7))");
        terminal.WaitFor("top-42"); // the output: the typed line may show twice before the shell reads it

        // Job control: a job to the background, one stopped with Ctrl-Z, one interrupted with Ctrl-C in the foreground.
        terminal.TypeLine("sleep 300 &");
        terminal.TypeLine("sleep 301");
        WaitUntilForeground("sleep\0301\0"); // a Ctrl-Z before that reaches the shell, which ignores it
        terminal.Keys("C-z");
        terminal.WaitFor("Stopped");
        terminal.TypeLine("jobs");
        Assert.Contains("sleep 300", terminal.WaitFor("Running")); // the first job, still running in the background
        terminal.TypeLine("fg %2");
        WaitUntilForeground("sleep\0301\0");
        terminal.Keys("C-c");
        terminal.TypeLine("echo interrupted=$?");
        terminal.WaitFor("interrupted=130");

        terminal.TypeLine("exit");
        AssertTerminalGivenBack(terminal, name);
    }

    /// <summary>
    /// Waits (at most 20 s) until the process whose command line is <paramref name="cmdline"/> runs as its terminal's
    /// foreground job: its process group is the terminal's (stat's pgrp is tpgid) and it is not stopped. A key meant for
    /// the job goes to whichever group is in the foreground when it arrives, and on a busy machine the shell may take
    /// long to start a job or to bring one back with fg.
    /// </summary>
    private static void WaitUntilForeground(string cmdline)
    {
        for (DateTime deadline = DateTime.UtcNow.AddSeconds(20); DateTime.UtcNow < deadline; Thread.Sleep(20))
            foreach (string process in Directory.EnumerateDirectories("/proc").Where(d => Path.GetFileName(d).All(char.IsAsciiDigit)))
            {
                try
                {
                    if (File.ReadAllText(Path.Combine(process, "cmdline")) != cmdline) continue;
                    string stat = File.ReadAllText(Path.Combine(process, "stat"));
                    string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' '); // state ppid pgrp session tty_nr tpgid …
                    if (fields[0] != "T" && fields[2] == fields[5]) return;
                }
                catch (IOException) { } // not a process, or it is gone
            }
        throw new TimeoutException($"no process \"{cmdline.Replace('\0', ' ').Trim()}\" came to its terminal's foreground");
    }

    [RootFact]
    public void RunIt_KilledFromAnotherTerminal_GivesTheTerminalBack()
    {
        using var terminal = new TmuxTerminal();
        string name = StartShell(terminal, "", "tty-killed");
        try
        {
            // vi leaves the terminal in its own modes: raw, no echo, the alternate screen.
            terminal.TypeLine("vi /tmp/x");
            terminal.WaitFor("\n~\n");

            MiniRunCli.Result kill = Cli.Run("kill", name);
            Assert.True(kill.ExitCode == 0, kill.ToString());

            Assert.Contains("exit=137", terminal.WaitFor("host-2"));
            AssertTerminalGivenBack(terminal, name);
        }
        finally
        {
            Cli.Run("rm", "-f", name);
        }
    }

    [RootFact]
    public void ExecIt_IsTheContainersNextPty()
    {
        MiniRunCli.Result run = Cli.Run("run", "-d", "-t", "--name", "tty-exec", fixture.Image, "sleep", "300");
        Assert.True(run.ExitCode == 0, run.ToString());
        try
        {
            using var terminal = new TmuxTerminal(columns: 90, rows: 25);
            string before = fixture.Scratch.Combine("exec.before"), after = fixture.Scratch.Combine("exec.after");
            terminal.TypeLine($"stty -a > {before}; {Minirun} exec -it tty-exec sh; echo exit=$?; stty -a > {after}; echo host-$((1+1))");
            terminal.WaitFor("/srv #");

            terminal.TypeLine("tty; echo TERM=$TERM; stty size");
            string screen = terminal.WaitFor("25 90");
            Assert.Contains("/dev/pts/1", screen); // pts/0 is PID 1's, as under Docker
            Assert.Contains("TERM=xterm", screen);

            terminal.TypeLine("exit 4");
            Assert.Contains("exit=4", terminal.WaitFor("host-2"));
            Assert.Equal(File.ReadAllText(before), File.ReadAllText(after));
        }
        finally
        {
            Cli.Run("rm", "-f", "tty-exec");
        }
    }

    [RootFact]
    public void RunT_WithoutATerminal_StillGivesThePtyAndLogsWhatItShows()
    {
        MiniRunCli.Result run = Cli.Run("run", "-t", "--name", "tty-logged", fixture.Image, "sh", "-c", "tty; echo TERM=$TERM");
        try
        {
            Assert.True(run.ExitCode == 0, run.ToString());
            Assert.Contains("/dev/pts/0", run.Stdout);
            Assert.Contains("TERM=xterm", run.Stdout);
            MiniRunCli.Result logs = Cli.Run("logs", "tty-logged");
            Assert.Contains("TERM=xterm\r\n", logs.Stdout); // a terminal's line ends, as Docker logs them
        }
        finally
        {
            Cli.Run("rm", "-f", "tty-logged");
        }
    }

    /// <summary>-t without -i leaves the user's terminal cooked: its Ctrl-C is minirun's SIGINT, forwarded (docker run's --sig-proxy).</summary>
    [RootFact]
    public void RunT_CtrlCThreeTimes_KillsAContainerThatIgnoresIt_AndSaysSo()
    {
        using var terminal = new TmuxTerminal(columns: 200);
        // Its PID 1 goes on running after each SIGINT, and says it got it: that minirun counted and forwarded each one.
        terminal.TypeLine($"{Minirun} run -t --rm --name tty-ctrlc {fixture.Image} sh -c " +
                          "\"trap 'n=\\$((n+1)); echo got-int-\\$n' INT; echo ready-$((6*7)); while :; do sleep 0.1; done\"; echo exit=$?");
        try
        {
            // The container's line, not the typed one: on a busy machine the typed line may show twice (echoed as
            // typed ahead, then again by bash's prompt) before bash even reads it, and a Ctrl-C then only clears it.
            terminal.WaitFor("ready-42");
            terminal.Keys("C-c");
            terminal.WaitFor("press Ctrl-C twice more to kill it");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            terminal.Keys("C-c");
            // Two Ctrl-Cs in a row can be one SIGINT: a second one raised while the first is still pending (minirun not
            // scheduled yet, on a busy machine) is merged into it. A user's third press comes later; so does this one.
            terminal.WaitFor("got-int-2");
            terminal.Keys("C-c");
            string screen = terminal.WaitFor("exit=137");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"killed only after {clock.Elapsed}");
            Assert.Contains("minirun: got 3 SIGINT/SIGTERMs: killing the container (SIGKILL)", screen);
            Assert.DoesNotContain("tty-ctrlc", Cli.Run("ps", "-a").Stdout); // --rm removed it
        }
        finally
        {
            Cli.Run("rm", "-f", "tty-ctrlc");
        }
    }

    [RootFact]
    public void RunT_TermFromTheUser_WinsOverXterm()
    {
        MiniRunCli.Result run = Cli.Run("run", "--rm", "-t", "-e", "TERM=vt100", fixture.Image, "sh", "-c", "echo TERM=$TERM");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("TERM=vt100", run.Stdout);
    }

    [Theory]
    [InlineData("run")]
    [InlineData("exec")]
    public void It_WithStdinThatIsNoTerminal_IsRefusedAsDockerDoes(string verb)
    {
        // As a user pipes into it (minirun may be gone before echo writes: the shell does not mind).
        string[] args = verb == "run" ? ["run", "-it", "--rm", fixture.Image, "sh"] : ["exec", "-it", "nosuch", "sh"];
        ExternalCommand.Result result = ExternalCommand.Run("sh", ["-c", "echo hi | exec \"$@\"", "sh", MiniRunCli.BinaryPath, "--root", Cli.StoreRoot, .. args],
            TimeSpan.FromSeconds(60));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("the input device is not a TTY", result.Stderr);
    }
}
