using System.Formats.Tar;
using System.Text.Json;
using MiniRun.Tests.Parity;

namespace MiniRun.Tests.Rootless;

/// <summary>
/// An ordinary user's `save` (issue 20): the layers leave the store with the owners they have inside the container, not
/// the range's IDs they have on the host, so that root's Docker loads the image and sees the tree as the user did.
/// </summary>
[Collection(RootlessCollection.Name)]
public sealed class RootlessSaveTests
{
    private const string Image = "rl-saved:1";

    [DockerFact]
    public void Save_CommittedChangeAsOrdinaryUser_DockerLoadsItWithTheOwnersInsideAndTheWhiteout()
    {
        using var session = new RootlessSession();
        session.LoadMinibox();
        session.RunOk("run", "--name", "rl-save", "--network", "none", "minibox", "sh", "-c",
            "echo o > /owned && chown 1000:1000 /owned && mkdir /owned-dir && chown 123:456 /owned-dir && rm /bin/ls");
        session.RunOk("commit", "rl-save", Image);
        session.RunOk("rm", "rl-save");
        string saved = Path.Combine(session.Home, "saved.tar");

        session.RunOk("save", "-o", saved, Image);

        (int uid, _) = RootlessUsers.Ids(RootlessUsers.WithRange);
        Assert.Equal((uint)uid, MiniRun.Native.Syscalls.LStat(saved).Uid); // the user's file, not root's
        List<List<TarEntryFacts>> layers = Layers(saved);
        List<TarEntryFacts> top = layers[^1];
        Assert.Contains(new TarEntryFacts("owned", 1000, 1000), top);
        Assert.Contains(new TarEntryFacts("owned-dir/", 123, 456), top);
        Assert.Contains(new TarEntryFacts("bin/.wh.ls", 0, 0), top);
        Assert.DoesNotContain(layers.SelectMany(l => l), e => e.Uid >= RootlessUsers.RangeStart || e.Gid >= RootlessUsers.RangeStart || e.Uid == uid);
        try
        {
            DockerEngine.Docker("load", "-i", saved);
            string inside = DockerEngine.Docker("run", "--rm", "--network", "none", Image, "sh", "-c",
                "stat -c '%u:%g %n' /owned /owned-dir /bin/busybox; test -e /bin/ls || echo ls-gone");
            Assert.Equal("1000:1000 /owned\n123:456 /owned-dir\n0:0 /bin/busybox\nls-gone\n", inside);
        }
        finally
        {
            DockerEngine.TryDocker("rmi", Image);
        }
    }

    private sealed record TarEntryFacts(string Name, int Uid, int Gid);

    /// <summary>Each layer of a docker-save archive (manifest.json's order, bottom first): its entries' names and owners.</summary>
    private static List<List<TarEntryFacts>> Layers(string archive)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using (FileStream stream = File.OpenRead(archive))
        using (var reader = new TarReader(stream))
            while (reader.GetNextEntry() is { } entry)
                if (entry.DataStream is { } data)
                {
                    using var copy = new MemoryStream();
                    data.CopyTo(copy);
                    files[entry.Name] = copy.ToArray();
                }
        using JsonDocument manifest = JsonDocument.Parse(files["manifest.json"]);
        var layers = new List<List<TarEntryFacts>>();
        foreach (JsonElement layer in manifest.RootElement[0].GetProperty("Layers").EnumerateArray())
        {
            var entries = new List<TarEntryFacts>();
            using var reader = new TarReader(new MemoryStream(files[layer.GetString()!]));
            while (reader.GetNextEntry() is { } entry) entries.Add(new(entry.Name, entry.Uid, entry.Gid));
            layers.Add(entries);
        }
        return layers;
    }
}
