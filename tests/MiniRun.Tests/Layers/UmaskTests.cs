using MiniRun.Fixtures.Tar;
using MiniRun.Layers;
using MiniRun.Native;

namespace MiniRun.Tests.Layers;

/// <summary>The umask is per process: these tests change it, so they run alone.</summary>
[CollectionDefinition(nameof(UmaskTests), DisableParallelization = true)]
public sealed class UmaskCollection;

[Collection(nameof(UmaskTests))]
public class UmaskTests
{
    [RootFact]
    public void Unpack_StrictUmask_ModesAreExactlyTheArchives()
    {
        byte[] tar = new TarBuilder()
            .Directory("d", mode: "0777").File("d/f", "x", mode: "0666").Fifo("p", mode: "0666")
            .CharDevice("c", 1, 3, mode: "0666").File("implied/g", "x")
            .ToArray();
        using var temp = new TempDirectory();
        uint previous = Syscalls.SetUmask(0x3F); // 077
        try
        {
            new LayerUnpacker(temp.Path, "test.tar").Unpack(new MemoryStream(tar));
        }
        finally
        {
            Syscalls.SetUmask(previous);
        }

        foreach ((string path, uint mode) in new[] { ("d", 0x1FFu), ("d/f", 0x1B6u), ("p", 0x1B6u), ("c", 0x1B6u), ("implied", 0x1EDu) })
            Assert.Equal((path, mode), (path, Syscalls.LStat(temp.Combine(path)).Permissions));
    }
}
