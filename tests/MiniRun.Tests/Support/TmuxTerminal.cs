using MiniRun.Fixtures;

namespace MiniRun.Tests.Support;

/// <summary>
/// A real terminal, as a user has one: a tmux server of the test's own (its socket apart from any user's), one window
/// of a fixed size running bash, keys typed into it and the screen read back. Disposed, the server and everything
/// started in it are killed.
/// </summary>
public sealed class TmuxTerminal : IDisposable
{
    private readonly string _socket = "minirun-test-" + Guid.NewGuid().ToString("N")[..12];

    public TmuxTerminal(int columns = 100, int rows = 30)
    {
        // A plain shell, no rc files: the prompt and the keys are the test's alone.
        Tmux("new-session", "-d", "-s", "t", "-x", columns.ToString(), "-y", rows.ToString(), "env", "-i", "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
            // The suite's network default (HostNetworkDefault): env -i would drop it, and a run would make a bridge on the host.
            $"MINIRUN_NETWORK={Environment.GetEnvironmentVariable("MINIRUN_NETWORK")}",
            "TERM=tmux-256color", "PS1=host$ ", "bash", "--norc", "--noprofile");
    }

    /// <summary>Types <paramref name="text"/> literally, then Enter.</summary>
    public void TypeLine(string text)
    {
        Tmux("send-keys", "-t", "t", "-l", text);
        Tmux("send-keys", "-t", "t", "Enter");
    }

    /// <summary>Sends tmux key names (C-c, C-z, Escape, Enter…).</summary>
    public void Keys(params string[] keys) => Tmux(["send-keys", "-t", "t", .. keys]);

    /// <summary>What the window shows now, with the history that has scrolled off it; wrapped lines joined (-J).</summary>
    public string Screen() => Tmux("capture-pane", "-p", "-J", "-S", "-200", "-t", "t").Stdout;

    public void Resize(int columns, int rows) => Tmux("resize-window", "-t", "t", "-x", columns.ToString(), "-y", rows.ToString());

    /// <summary>Waits until the screen shows <paramref name="text"/> (at most 20 s) and returns the screen.</summary>
    public string WaitFor(string text, int occurrences = 1)
    {
        string screen = "";
        for (int i = 0; i < 400; i++)
        {
            screen = Screen();
            if (Count(screen, text) >= occurrences) return screen;
            Thread.Sleep(50);
        }
        throw new TimeoutException($"the terminal never showed \"{text}\" ({occurrences}×); it shows:\n{screen}");
    }

    private static int Count(string screen, string text)
    {
        int n = 0;
        for (int at = screen.IndexOf(text, StringComparison.Ordinal); at >= 0; at = screen.IndexOf(text, at + text.Length, StringComparison.Ordinal)) n++;
        return n;
    }

    private ExternalCommand.Result Tmux(params string[] args)
    {
        ExternalCommand.Result result = ExternalCommand.Run("tmux", ["-L", _socket, .. args], TimeSpan.FromSeconds(20));
        if (result.ExitCode != 0) throw new InvalidOperationException(result.ToString());
        return result;
    }

    public void Dispose() => ExternalCommand.Run("tmux", ["-L", _socket, "kill-server"], TimeSpan.FromSeconds(20));
}
