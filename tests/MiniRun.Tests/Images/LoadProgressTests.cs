using MiniRun.Fixtures;
using MiniRun.Fixtures.Images;

namespace MiniRun.Tests.Images;

/// <summary>
/// `load`'s progress as docker's: on a terminal one "Loading layer [====>]  1.2MB/3.4MB" line per layer, then the
/// "Loaded image:" line; on a pipe only the latter (see <see cref="LoadStdinTests"/>).
/// </summary>
public sealed class LoadProgressTests : IDisposable
{
    private readonly TempDirectory _temp = new("minirun-load-progress");
    private readonly string _store;
    private readonly ImageArchiveBuilder _image;
    private readonly string _archive;

    public LoadProgressTests()
    {
        _store = _temp.Combine("store");
        _image = new ImageArchiveBuilder()
            .AddLayer(LayerTar.Files(("srv/big", new string('x', 3_000_000))))
            .AddLayer(LayerTar.Files(("etc/hostname", "progress\n")))
            .WithName("progress:1");
        _archive = _temp.Combine("image.tar");
        _image.Write(ArchiveFormat.DockerSave, _archive);
    }

    public void Dispose() => _temp.Dispose();

    private string Minirun => $"{MiniRunCli.BinaryPath} --root {_store}";

    [RootFact]
    public void Load_OnATerminal_ShowsEachLayersBarThenTheLoadedLine()
    {
        using var terminal = new TmuxTerminal(columns: 120, rows: 30);

        terminal.TypeLine($"{Minirun} load -i {_archive}; echo \"do\"\"ne=$?\"");
        string screen = terminal.WaitFor("done="); // the typed line says do""ne, so only the output matches

        Assert.Contains("done=0", screen);
        foreach (string diffId in _image.DiffIds)
            Assert.Matches($@"{diffId["sha256:".Length..][..12]}: Loading layer \[=+>\]  [0-9.]+[kM]?B/[0-9.]+[kM]?B", screen);
        Assert.Contains("3MB/3MB", screen); // the big layer, its bar full
        Assert.True(screen.IndexOf("Loading layer", StringComparison.Ordinal) < screen.IndexOf("Loaded image: progress:1", StringComparison.Ordinal), screen);
    }

    [RootFact]
    public void Load_StdinRedirectedOnATerminal_ShowsProgressToo()
    {
        using var terminal = new TmuxTerminal(columns: 120, rows: 30);

        terminal.TypeLine($"{Minirun} load < {_archive}; echo \"do\"\"ne=$?\"");
        string screen = terminal.WaitFor("done="); // the typed line says do""ne, so only the output matches

        Assert.Contains("done=0", screen);
        Assert.Contains("Loading layer [", screen);
        Assert.Contains("Loaded image: progress:1", screen);
    }

    [RootFact]
    public void Load_QuietOnATerminal_PrintsNothing()
    {
        using var terminal = new TmuxTerminal(columns: 120, rows: 30);

        terminal.TypeLine($"{Minirun} load -q -i {_archive}; echo \"do\"\"ne=$?\"");
        string screen = terminal.WaitFor("done="); // the typed line says do""ne, so only the output matches

        Assert.Contains("done=0", screen);
        Assert.DoesNotContain("Loading layer", screen);
        Assert.DoesNotContain("Loaded image", screen);
    }

    [RootFact]
    public void Load_StdinIsATerminal_SaysToPipeAnArchiveInAndExitsOne()
    {
        using var terminal = new TmuxTerminal(columns: 200, rows: 30);

        terminal.TypeLine($"{Minirun} load; echo \"do\"\"ne=$?\"");
        string screen = terminal.WaitFor("done="); // the typed line says do""ne, so only the output matches

        Assert.Contains("minirun: requested load from stdin, but stdin is a terminal: pipe an archive in", screen);
        Assert.Contains("done=1", screen);
    }
}
