using System.Security.Cryptography;
using MiniRun.Fixtures;
using MiniRun.Fixtures.Images;
using MiniRun.Fixtures.Tar;
using MiniRun.Native;
using MiniRun.Tests.Layers;

namespace MiniRun.Tests.Parity;

/// <summary>
/// Docker is the judge of odd and hostile layers: each is fed as a one-layer `docker load` tar to the real engine and
/// to `minirun load`, and both must take it or both refuse it; when taken, the layer directories must hold the same
/// tree. Either way nothing may appear outside: a canary directory beside the store stays empty, and the host paths an
/// escape would hit (/tmp/…, /…, /etc/passwd) are as they were.
/// </summary>
public sealed class HostileLayerParityTests : IDisposable
{
    private const string Repository = "minirun-parity-layer";
    private readonly TempDirectory _temp = new("minirun-layer-parity");

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string> Names() => [.. HostileArchives.All.Concat(OddArchives.All).Select(a => a.Name)];

    private static HostileArchive Get(string name) => HostileArchives.All.Concat(OddArchives.All).Single(a => a.Name == name);

    [DockerTheory]
    [MemberData(nameof(Names))]
    public void Load_OddOrHostileLayer_DecidesAndPlacesAsDocker(string name)
    {
        HostileArchive layer = Get(name);
        string image = $"{Repository}:{name}";
        string archive = _temp.Combine("image.tar");
        new ImageArchiveBuilder().AddLayer(layer.Tar).WithName(image).Write(ArchiveFormat.DockerSave, archive);
        // The store sits in a directory of its own, next to a canary: an escape by ".." would land beside it.
        string canary = _temp.Combine("outside", "canary");
        Directory.CreateDirectory(canary);
        var cli = new MiniRunCli(_temp.Combine("outside", "store"));
        string hostBefore = HostState();

        ExternalCommand.Result docker;
        string? dockerTree = null;
        try
        {
            docker = ExternalCommand.Run("docker", ["load", "-i", archive], TimeSpan.FromMinutes(2));
            if (docker.ExitCode == 0) dockerTree = Listing(DockerEngine.Docker("image", "inspect", "-f", "{{.GraphDriver.Data.UpperDir}}", image).Trim());
        }
        finally
        {
            DockerEngine.TryDocker("rmi", image);
        }
        MiniRunCli.Result minirun = cli.Run("load", "-i", archive);
        string? minirunTree = minirun.ExitCode == 0 ? Listing(LayerDirectory(cli, layer.Tar)) : null;

        Assert.True((docker.ExitCode == 0) == (minirun.ExitCode == 0), $"docker: {docker}\nminirun: {minirun}");
        Assert.True(layer.IsRefused == (docker.ExitCode != 0), $"the fixture says {(layer.IsRefused ? "refused" : "taken")}; docker: {docker}");
        if (minirun.ExitCode != 0) Assert.Matches("^minirun: [^\n]+\n$", minirun.Stderr);
        Assert.Equal(dockerTree, minirunTree);
        if (minirunTree is not null) Assert.Contains($"\n{layer.Inside} ", "\n" + minirunTree);
        Assert.Empty(Directory.EnumerateFileSystemEntries(canary));
        Assert.Equal(new[] { "canary", "store" }, Directory.EnumerateFileSystemEntries(_temp.Combine("outside")).Select(Path.GetFileName).Order());
        Assert.Equal(hostBefore, HostState());
        if (minirun.ExitCode == 0) cli.RunOk("rmi", image);
    }

    /// <summary>What an escape from either unpacker would change on this machine.</summary>
    private static string HostState()
    {
        FileStatus passwd = Syscalls.LStat("/etc/passwd");
        return $"{Syscalls.TryLStat(HostileArchives.AbsoluteEvil) is not null} {Syscalls.TryLStat("/" + HostileArchives.EvilName) is not null} " +
               $"{Syscalls.TryLStat("/etc/" + HostileArchives.EvilName) is not null} {Syscalls.TryLStat("/etc/x") is not null} " +
               $"{passwd.Inode} {passwd.LinkCount} {passwd.Size} {passwd.Modified} {Syscalls.GetXattr("/tmp", "trusted.overlay.opaque") is not null}";
    }

    private static string LayerDirectory(MiniRunCli cli, byte[] layerTar) =>
        Path.Combine(cli.StoreRoot, "layers", Convert.ToHexStringLower(SHA256.HashData(layerTar)), "diff");

    /// <summary>The layer tree: type, mode, owner, size, links, symlink target and device of each entry, file contents, xattrs (no symlink followed).</summary>
    private static string Listing(string root)
    {
        string tree = TreeSnapshot.Find(root, withTimes: false);
        var contents = Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint })
            .Where(p => Syscalls.LStat(p).IsRegular)
            .Select(p => $"{Path.GetRelativePath(root, p)} md5={Convert.ToHexStringLower(MD5.HashData(File.ReadAllBytes(p)))}")
            .Order(StringComparer.Ordinal);
        return tree + "\n--- contents\n" + string.Join('\n', contents) + "\n--- xattrs\n" + TreeSnapshot.Xattrs(root);
    }
}
