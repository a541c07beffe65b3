using MiniRun.Common;
using System.Text;
using MiniRun.Images;
using MiniRun.Layers;

namespace MiniRun.Fuzz;

/// <summary>
/// The parsers that read what an image's author controls. Each must end with its result or with the errors it is
/// meant to throw on bad input (a <see cref="MiniRunException"/>, or what decompressors and the tar reader throw on
/// damaged data); any other exception is a bug, and the fuzzer records the input that caused it.
/// </summary>
public static class FuzzTargets
{
    public static readonly IReadOnlyDictionary<string, Action<byte[]>> All = new Dictionary<string, Action<byte[]>>
    {
        ["tar"] = Tar,
        ["manifest"] = Manifest,
        ["reference"] = Reference,
    };

    /// <summary>Every entry header and its data, as the unpacker reads a layer (nothing is written).</summary>
    private static void Tar(byte[] input)
    {
        Expect(() =>
        {
            using var reader = new TarArchiveReader(new MemoryStream(input), "fuzz.tar");
            for (int i = 0; i < 10_000 && reader.ReadNextEntry() is not null; i++)
                reader.CopyDataTo(Stream.Null);
        });
    }

    /// <summary>docker save's manifest.json, an OCI manifest and an image config.</summary>
    private static void Manifest(byte[] input)
    {
        Expect(() => ImageJson.ParseDockerManifest(input, "manifest.json"));
        Expect(() => ImageJson.ParseManifest(input, "manifest"));
        Expect(() =>
        {
            ImageConfig config = ImageJson.ParseConfig(input, "config");
            foreach (string diffId in config.RootFs.DiffIds) Digest.Parse(diffId, "config");
        });
    }

    /// <summary>A reference that parses must print as a reference that parses to the same thing.</summary>
    private static void Reference(byte[] input)
    {
        string text = Encoding.UTF8.GetString(input);
        if (!ImageReference.TryParse(text, out ImageReference? reference)) return;
        string printed = reference.ToString();
        if (!ImageReference.TryParse(printed, out ImageReference? again) || again.ToString() != printed)
            throw new InvalidOperationException($"reference round trip broke: \"{text}\" printed as \"{printed}\"");
    }

    private static void Expect(Action parse)
    {
        try
        {
            parse();
        }
        catch (Exception e) when (e is MiniRunException or InvalidDataException or EndOfStreamException or FormatException)
        {
            // refused as bad input: what the parser is for
        }
    }
}
