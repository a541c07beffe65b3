using System.Text.RegularExpressions;
using MiniRun.Fixtures;
using MiniRun.Fixtures.Images;

namespace MiniRun.Tests.Errors;

/// <summary>
/// Errors as a user meets them, from the real binary (NativeAOT, where .NET's texts used to be resource keys such as
/// "UnauthorizedAccess_IODenied_Path, /x" or "TarInvalidNumber, "): one line, "minirun: ", what, where, what to do, exit 125
/// (load and import: 1, as docker load and docker import exit when the engine refuses the input).
/// </summary>
public sealed partial class ErrorMessageTests : IDisposable
{
    private readonly TempDirectory _temp = new("minirun-errors");
    private readonly MiniRunCli _cli;

    public ErrorMessageTests() => _cli = new MiniRunCli(_temp.Combine("store"));

    public void Dispose() => _temp.Dispose();

    [RootFact]
    public void Load_RandomBytes_SaysNotATarArchiveAndWhatLoadTakes()
    {
        string file = _temp.Combine("random.bin");
        var bytes = new byte[64 * 1024];
        new Random(15).NextBytes(bytes);
        bytes[0] = 0x42; // not a compression magic number by chance
        File.WriteAllBytes(file, bytes);

        string error = AssertHumanError(_cli.Run("load", "-i", file), LoadExit);

        Assert.StartsWith($"minirun: archive \"{file}\" is not a tar archive: ", error);
        Assert.Contains("docker save", error);
    }

    [RootFact]
    public void Load_DevUrandom_SaysWhatLoadTakes()
    {
        string error = AssertHumanError(_cli.Run("load", "-i", "/dev/urandom"), LoadExit);

        Assert.StartsWith("minirun: archive \"/dev/urandom\": ", error);
    }

    [RootFact]
    public void Load_MissingFile_SaysNoSuchFile()
    {
        string missing = _temp.Combine("missing.tar");

        Assert.Equal($"minirun: no such file or directory: {missing}", AssertHumanError(_cli.Run("load", "-i", missing), LoadExit));
    }

    [RootFact]
    public void Import_MissingFile_SaysNoSuchFile()
    {
        string missing = _temp.Combine("missing.tar");

        Assert.Equal($"minirun: root filesystem tarball \"{missing}\": no such file", AssertHumanError(_cli.Run("import", missing, "x:1"), LoadExit));
    }

    /// <summary>An immutable directory (chattr +i) refuses even root: what a store the user cannot write looks like.</summary>
    [RootFact]
    public void Load_StoreDirectoryNotWritable_SaysWhichPathAndWhatToDo()
    {
        string image = WriteImage();
        Assert.Equal(0, _cli.Run("images").ExitCode); // the store exists
        string layers = Path.Combine(_cli.StoreRoot, "layers");
        using (Immutable(layers))
        {
            string error = AssertHumanError(_cli.Run("load", "-i", image), LoadExit);

            Assert.Matches($"^minirun: [a-z]+ {Regex.Escape(layers)}/[0-9a-f]{{64}}: EPERM \\(Operation not permitted\\): check the owner, mode and attributes of the path \\(ls -ld, lsattr\\)$", error);
        }
    }

    /// <summary>A write through .NET (UnauthorizedAccessException): the store's names file, when the store root is immutable.</summary>
    [RootFact]
    public void Tag_StoreRootNotWritable_SaysPermissionDeniedAndPath()
    {
        Assert.Equal(0, _cli.Run("load", "-i", WriteImage()).ExitCode);
        using (Immutable(_cli.StoreRoot))
        {
            string error = AssertHumanError(_cli.Run("tag", "errors-test:1", "errors-test:2"), 1);

            Assert.StartsWith($"minirun: permission denied: {Path.Combine(_cli.StoreRoot, "repositories.json")}", error);
            Assert.EndsWith(": check the owner, mode and attributes of the path (ls -ld, lsattr)", error);
        }
    }

    /// <summary>An IOException with its errno (EROFS): `save -o` into a read-only bind mount.</summary>
    [RootFact]
    public void Save_OutputOnReadOnlyFilesystem_SaysPathAndWhatToDo()
    {
        Assert.Equal(0, _cli.Run("load", "-i", WriteImage()).ExitCode);
        string output = _temp.Combine("out");
        Directory.CreateDirectory(output);
        ExternalCommand.Check("mount", "--bind", output, output);
        try
        {
            ExternalCommand.Check("mount", "-o", "remount,bind,ro", output);

            string error = AssertHumanError(_cli.Run("save", "errors-test:1", "-o", Path.Combine(output, "image.tar")), 1);

            Assert.StartsWith($"minirun: {output}/", error);
            Assert.EndsWith(": read-only file system: the filesystem is read-only, use a writable one (--root DIR for the store)", error);
        }
        finally
        {
            ExternalCommand.Check("umount", output);
        }
    }

    private string WriteImage()
    {
        string path = _temp.Combine("image.tar");
        new ImageArchiveBuilder().AddLayer(LayerTar.Files(("etc/hostname", "errors\n"))).WithName("errors-test:1").Write(ArchiveFormat.DockerSave, path);
        return path;
    }

    private static ImmutableFlag Immutable(string path) => new(path);

    /// <summary>chattr +i for the test's span, undone even on failure (else the temp directory could not be removed).</summary>
    private sealed class ImmutableFlag : IDisposable
    {
        private readonly string _path;

        public ImmutableFlag(string path)
        {
            _path = path;
            ExternalCommand.Check("chattr", "+i", path);
        }

        public void Dispose() => ExternalCommand.Check("chattr", "-i", _path);
    }

    /// <summary>docker load's and docker import's status for input they refuse.</summary>
    private const int LoadExit = 1;

    /// <summary>Exit 125 (or <paramref name="exitCode"/>), one line on stderr, no .NET resource key in it ("Some_Key_Name", "TarInvalidNumber, "); the line.</summary>
    private static string AssertHumanError(MiniRunCli.Result result, int exitCode = 125)
    {
        Assert.True(result.ExitCode == exitCode, result.ToString());
        string error = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("minirun: ", error);
        Assert.DoesNotMatch(ResourceKey(), error);
        return error;
    }

    [GeneratedRegex(@"\b[A-Z][A-Za-z]*_[A-Za-z_]+\b|\b[A-Z][a-z]+(?:[A-Z][a-z]+){2,}\b")]
    private static partial Regex ResourceKey();
}
