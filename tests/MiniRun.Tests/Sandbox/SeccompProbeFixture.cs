using MiniRun.Fixtures;
using MiniRun.Fixtures.Images;

namespace MiniRun.Tests.Sandbox;

/// <summary>
/// What the seccomp attack tests share: seccomp-probe.c built once with gcc -static into a directory that
/// `run --layer` stacks on the image (the probe is /probe), and a store with the busybox image `probebox:latest`.
/// Dispose removes containers a failed test left, the store and the probe.
/// </summary>
public sealed class SeccompProbeFixture : IDisposable
{
    public TempDirectory Scratch { get; } = new("minirun-seccomp");
    public MiniRunCli Cli { get; }
    public string Image => "probebox:latest";
    /// <summary>The directory holding the static probe as <c>probe</c>; in the container it is <c>/probe</c>.</summary>
    public string ProbeLayer => Scratch.Combine("layer");
    public string ProbeOnHost => Path.Combine(ProbeLayer, "probe");

    public SeccompProbeFixture()
    {
        Cli = new MiniRunCli(Scratch.Combine("store"));
        if (!MiniRun.Native.Syscalls.IsRoot) return;
        Directory.CreateDirectory(ProbeLayer);
        string source = Path.Combine(MiniRunCli.RepositoryRoot, "tests", "MiniRun.Tests", "Sandbox", "seccomp-probe.c");
        StaticProgram.BuildFile(source, ProbeOnHost);
        string archive = Scratch.Combine("probebox.tar");
        new ImageArchiveBuilder().AddLayer(BusyboxRootfs.LayerTarBytes()).WithName(Image).Write(ArchiveFormat.DockerSave, archive);
        MiniRunCli.Result load = Cli.Run("load", "-i", archive);
        if (load.ExitCode != 0) throw new InvalidOperationException("loading the probe image failed: " + load);
    }

    /// <summary>`run --rm OPTIONS --layer PROBE probebox /probe ARGS`: the probe's answers by name; the run must succeed.</summary>
    public Dictionary<string, string> Probe(IEnumerable<string> options, params string[] probeArgs)
    {
        MiniRunCli.Result result = Cli.Run(["run", "--rm", .. options, "--layer", ProbeLayer, Image, "/probe", .. probeArgs]);
        Assert.True(result.ExitCode == 0, result.ToString());
        return Parse(result.Stdout);
    }

    /// <summary>"name=value" lines as a dictionary.</summary>
    public static Dictionary<string, string> Parse(string stdout) =>
        stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);

    public void Dispose()
    {
        if (MiniRun.Native.Syscalls.IsRoot)
            foreach (string id in Cli.Run("ps", "-aq").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                Cli.Run("rm", "-f", id);
        Scratch.Dispose();
    }
}
