using MiniRun.Fixtures;
using MiniRun.Fixtures.Images;

namespace MiniRun.Tests.Containers;

/// <summary>
/// One store with the image `runtest:latest` (the busybox rootfs plus a layer adding /srv/marker) whose config sets
/// Env, WorkingDir and Cmd, loaded through the real CLI once for all run tests.
/// </summary>
public sealed class RunImageFixture : IDisposable
{
    public TempDirectory Scratch { get; } = new("minirun-run");
    public MiniRunCli Cli { get; }
    public string Image => "runtest:latest";

    public RunImageFixture()
    {
        Cli = new MiniRunCli(Scratch.Combine("store"));
        if (!MiniRun.Native.Syscalls.IsRoot) return;
        var builder = new ImageArchiveBuilder { WorkingDir = "/srv" }
            .AddLayer(BusyboxRootfs.LayerTarBytes())
            .AddLayer(LayerTar.Files(("srv/marker", "from-image\n")))
            .WithName(Image);
        builder.Env.Add("FOO=from-image");
        builder.Cmd.Clear();
        builder.Cmd.AddRange(["cat", "marker"]);
        string archive = Scratch.Combine("runtest.tar");
        builder.Write(ArchiveFormat.DockerSave, archive);
        MiniRunCli.Result load = Cli.Run("load", "-i", archive);
        if (load.ExitCode != 0) throw new InvalidOperationException("loading the run test image failed: " + load);
    }

    public void Dispose()
    {
        // Containers left by a failed test: unmount and delete them with the store.
        if (MiniRun.Native.Syscalls.IsRoot)
            foreach (string id in Cli.Run("ps", "-aq").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                Cli.Run("rm", "-f", id);
        Scratch.Dispose();
    }
}
