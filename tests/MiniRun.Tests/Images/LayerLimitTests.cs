using MiniRun.Fixtures.Images;
using MiniRun.Images;

namespace MiniRun.Tests.Images;

/// <summary>One limit on layers, <see cref="ImagePlan.MaxLayers"/>: what a container's overlay can mount, for load, run and commit alike.</summary>
public sealed class LayerLimitTests
{
    [RootFact]
    public void Commit_ImageAtTheLimit_IsRefusedAndTheLimitItselfRuns()
    {
        using var temp = new TempDirectory();
        MiniRunCli cli = LoadDeepImage(temp);

        // The image has no programs: the command is not found (127), but its overlay of every layer was mounted.
        MiniRunCli.Result run = cli.Run("run", "--name", "deep", "deep:1", "/no-such-command");
        Assert.True(run.ExitCode == 127, run.ToString());
        MiniRunCli.Result commit = cli.Run("commit", "deep", "deeper:1");

        Assert.Equal(1, commit.ExitCode); // docker commit: the engine refuses, 1
        Assert.Equal($"minirun: cannot commit container deep: its image has {ImagePlan.MaxLayers} layers, and an image of more than {ImagePlan.MaxLayers} could not be run (one page of overlay mount options)\n",
            commit.Stderr);
    }

    [RootFact]
    public void RunAndMount_LayerDirsOnTopOfTheLimit_AreRefusedCountingThem_NothingMade()
    {
        using var temp = new TempDirectory();
        MiniRunCli cli = LoadDeepImage(temp);
        string one = temp.Combine("one"), two = temp.Combine("two");
        Directory.CreateDirectory(one);
        Directory.CreateDirectory(two);

        foreach (string[] args in new[] { ["run", "--rm", "--layer", one, "--layer", two, "deep:1", "/x"], new[] { "mount", "--layer", one, "--layer", two, "deep:1" } })
        {
            MiniRunCli.Result result = cli.Run(args);
            Assert.Equal(125, result.ExitCode);
            Assert.Matches($@"^minirun: too many layers to mount: {ImagePlan.MaxLayers} image layers, 2 --layer directories and the init layer \({ImagePlan.MaxLayers + 3} lower directories\) " +
                @"need \d+ bytes of overlay mount options, over the kernel's one page \(4095\); give 1 --layer directory fewer\n$", result.Stderr);
            Assert.Empty(cli.Run("ps", "-aq").Stdout);
        }
        Assert.Equal(127, cli.Run("run", "--rm", "--layer", one, "deep:1", "/x").ExitCode); // one fits
    }

    /// <summary>A store in <paramref name="temp"/> holding deep:1, an image of exactly <see cref="ImagePlan.MaxLayers"/> layers.</summary>
    private static MiniRunCli LoadDeepImage(TempDirectory temp)
    {
        var cli = new MiniRunCli(temp.Combine("store"));
        var builder = new ImageArchiveBuilder().WithName("deep:1");
        for (int i = 0; i < ImagePlan.MaxLayers; i++) builder.AddLayer(LayerTar.Files(($"layer-{i}", $"{i}\n")));
        string archive = temp.Combine("deep.tar");
        builder.Write(ArchiveFormat.DockerSave, archive);
        Assert.Equal(0, cli.Run("load", "-i", archive).ExitCode);
        return cli;
    }
}
