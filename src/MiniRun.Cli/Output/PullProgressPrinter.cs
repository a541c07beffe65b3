using System.Diagnostics;
using MiniRun.Images.Registry;

namespace MiniRun.Cli.Output;

/// <summary>
/// docker pull's output. On a terminal: one line per layer, redrawn in place (ANSI cursor-up), with a bar and bytes.
/// Otherwise: one plain line per state change ("a1b2c3d4e5f6: Pull complete"), no byte counts, so logs stay readable.
/// </summary>
public sealed class PullProgressPrinter(TextWriter output, bool terminal)
{
    private const int BarWidth = 50;
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(100);
    private readonly Lock _lock = new();
    private readonly List<string> _order = [];
    private readonly Dictionary<string, LayerProgress> _layers = [];
    private readonly Stopwatch _sinceRedraw = Stopwatch.StartNew();

    public void Report(LayerProgress progress)
    {
        lock (_lock)
        {
            bool known = _layers.TryGetValue(progress.Id, out LayerProgress? previous);
            if (known && previous!.State == LayerState.Complete) return;
            _layers[progress.Id] = progress;
            if (!known) _order.Add(progress.Id);
            bool changed = !known || previous!.State != progress.State;
            if (!terminal)
            {
                if (changed) output.WriteLine($"{progress.Id}: {Status(progress)}");
                return;
            }
            if (!known)
            {
                output.WriteLine(Line(progress));
            }
            else if (changed || _sinceRedraw.Elapsed >= RedrawInterval)
            {
                // Up to the layer's line, clear it, rewrite it, back down (docker's jsonmessage does the same).
                int up = _order.Count - _order.IndexOf(progress.Id);
                output.Write($"\u001b[{up}A\r\u001b[2K{Line(progress)}\u001b[{up}B\r");
                _sinceRedraw.Restart();
            }
            output.Flush();
        }
    }

    private static string Status(LayerProgress p) => p.State switch
    {
        LayerState.Waiting => "Pulling fs layer",
        LayerState.AlreadyExists => "Already exists",
        LayerState.Downloading => "Downloading",
        _ => "Pull complete",
    };

    private static string Line(LayerProgress p)
    {
        if (p.State != LayerState.Downloading) return $"{p.Id}: {Status(p)}";
        int filled = p.Total > 0 ? (int)Math.Min(BarWidth, p.Current * BarWidth / p.Total) : 0;
        string bar = new string('=', Math.Max(0, filled - 1)) + (filled > 0 ? ">" : "") + new string(' ', BarWidth - filled);
        return $"{p.Id}: Downloading [{bar}]  {HumanText.Size(p.Current)}/{HumanText.Size(p.Total)}";
    }
}
