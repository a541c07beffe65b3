using MiniRun.Fixtures.Images;
using MiniRun.Fixtures.Registry;
using MiniRun.Tests.Layers;
using MiniRun.Tests.Registry;

namespace MiniRun.Tests.Rootless;

/// <summary>
/// An ordinary user's pull (issue 20) from a real registry on 127.0.0.1, into the user's store, unpacked in the user's
/// user namespace: the image runs, its whiteout hides what it hides, and its files are owned by the user's range.
/// </summary>
[Collection(RootlessCollection.Name)]
public sealed class RootlessPullTests : IDisposable
{
    private readonly TempDirectory _scratch = new("minirun-rootless-pull");
    private readonly LocalRegistry? _registry = MiniRun.Native.Syscalls.IsRoot && LocalRegistry.IsAvailable ? new LocalRegistry() : null;

    public void Dispose()
    {
        _registry?.Dispose();
        _scratch.Dispose();
    }

    [RegistryFact]
    public void Pull_AsOrdinaryUser_RunsTheImageWithItsWhiteoutAndItsOwnersInTheRange()
    {
        string layout = _scratch.Combine("layout");
        new ImageArchiveBuilder { Compression = LayerCompression.Gzip }
            .AddLayer(LayerTar.Files(("etc/os-release", "ID=rootlesspull\n"), ("bin/tool", "tool\n")))
            .AddLayer(LayerTar.Whiteout("bin/tool"))
            .AddLayer(LayerTar.Files(("srv/marker", "pulled-rootless\n")))
            .Write(ArchiveFormat.OciLayout, layout);
        _registry!.Push(layout, "test/rootless:1");
        using var session = new RootlessSession();
        string image = $"{_registry.Host}/test/rootless:1";

        MiniRunCli.Result pull = session.Run("pull", image);

        Assert.True(pull.ExitCode == 0, pull.ToString());
        Assert.Contains($"Digest: {_registry.DigestOf("test/rootless:1")}", pull.Stdout);
        Assert.Contains($"{_registry.Host}/test/rootless", session.RunOk("images").Stdout);
        // Unpacked in the user's namespace: root's files in the image are the user's on the host (uid 0 inside is the
        // user), and the whiteout is overlay's 0/0 character device, made without CAP_MKNOD.
        string[] markers = Directory.GetFiles(Path.Combine(session.Store, "layers"), "marker", SearchOption.AllDirectories);
        string marker = Assert.Single(markers);
        Assert.Equal("pulled-rootless\n", File.ReadAllText(marker));
        (int uid, _) = RootlessUsers.Ids(RootlessUsers.WithRange);
        Assert.Equal((uint)uid, MiniRun.Native.Syscalls.LStat(marker).Uid);
        string whiteout = Assert.Single(Directory.GetFiles(Path.Combine(session.Store, "layers"), "tool", SearchOption.AllDirectories),
            f => MiniRun.Native.Syscalls.LStat(f).Type == MiniRun.Native.Syscalls.S_IFCHR);
        Assert.Equal((0u, 0u), (MiniRun.Native.Syscalls.LStat(whiteout).RdevMajor, MiniRun.Native.Syscalls.LStat(whiteout).RdevMinor));
    }
}
