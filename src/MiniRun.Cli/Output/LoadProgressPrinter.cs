using System.Diagnostics;

namespace MiniRun.Cli.Output;

/// <summary>
/// docker load's progress, for a terminal only (on a pipe docker load prints just its "Loaded image:" lines): one line
/// per layer, "a1b2c3d4e5f6: Loading layer [====>   ]  12.3MB/45.6MB", redrawn in place as the layers load in parallel.
/// </summary>
public sealed class LoadProgressPrinter(TextWriter output)
{
    private const int BarWidth = 50;
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(100);
    private readonly Lock _lock = new();
    private readonly List<string> _order = [];
    private readonly Dictionary<string, (long Current, long Total, bool Complete)> _layers = [];
    private readonly Stopwatch _sinceRedraw = Stopwatch.StartNew();

    /// <summary><paramref name="id"/> has had <paramref name="current"/> of its <paramref name="total"/> bytes read.</summary>
    public void Report(string id, long current, long total) => Update(id, current, total, complete: false);

    /// <summary><paramref name="id"/> is unpacked and published: its bar is drawn full.</summary>
    public void Complete(string id) => Update(id, 0, 0, complete: true);

    private void Update(string id, long current, long total, bool complete)
    {
        lock (_lock)
        {
            bool known = _layers.TryGetValue(id, out var previous);
            if (known && previous.Complete) return; // a layer that appears twice in the image is shown once
            if (complete)
            {
                if (!known) return;
                current = total = previous.Total;
            }
            _layers[id] = (current, total, complete);
            if (!known)
            {
                _order.Add(id);
                output.WriteLine(Line(id, current, total));
            }
            else if (complete || _sinceRedraw.Elapsed >= RedrawInterval)
            {
                // Up to the layer's line, clear it, rewrite it, back down (as docker's jsonmessage does).
                int up = _order.Count - _order.IndexOf(id);
                output.Write($"\u001b[{up}A\r\u001b[2K{Line(id, current, total)}\u001b[{up}B\r");
                _sinceRedraw.Restart();
            }
            output.Flush();
        }
    }

    private static string Line(string id, long current, long total)
    {
        int filled = total > 0 ? (int)Math.Min(BarWidth, current * BarWidth / total) : BarWidth;
        string bar = new string('=', Math.Max(0, filled - 1)) + (filled > 0 ? ">" : "") + new string(' ', BarWidth - filled);
        return $"{id}: Loading layer [{bar}]  {HumanText.Size(current)}/{HumanText.Size(total)}";
    }
}
