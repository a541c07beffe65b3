using MiniRun.Native;

namespace MiniRun.Layers;

/// <summary>
/// vfs: a tree made from another is a full copy, `cp -a` (owners, modes, times, xattrs, hard links, special files;
/// symlinks copied, never followed), as moby's vfs driver copies a parent layer's directory. Slow and simple: it needs
/// nothing of the file system, which is why it is the fallback where overlay cannot be mounted.
/// </summary>
public sealed class TreeCopier : ITreeCloner
{
    public string Name => "vfs";

    public string Directory => "vfs/dir";

    public void CreateEmpty(ISyscalls sys, string path)
    {
        sys.MakeDirectory(path, 0x1ed);
        Syscalls.Chmod(path, 0x1ed); // 0755 whatever the umask; the layer's "./" entry may change it
    }

    public string CreateCommand(string path) => $"mkdir {Explain.ShellQuote.Quote(path)}";

    public void Clone(ISyscalls sys, string source, string target)
    {
        string cp = Cp();
        // --reflink=auto: where the file system can share extents (btrfs, XFS) the copy costs no data blocks.
        (int status, _) = sys.RunProgram(cp, ["cp", "-a", "--reflink=auto", "--no-target-directory", source, target], [], []);
        if (status != 0) throw new MiniRunException($"cp -a {source} {target} failed (exit status {status}): see its message above");
    }

    public string CloneCommand(string source, string target) =>
        $"cp -a --reflink=auto --no-target-directory {Explain.ShellQuote.Quote(source)} {Explain.ShellQuote.Quote(target)}";

    public string CloneWord => "copied";

    public void Seal(ISyscalls sys, string path) { } // a copy has no read-only flag; nothing writes into a layer's tree

    public string? SealCommand(string path) => null;

    public void Unseal(ISyscalls sys, string path) { }

    public bool RemovedOnItsOwn => false;

    public void Remove(ISyscalls sys, string path) => sys.RemoveTree(path);

    /// <summary>GNU cp from coreutils (busybox's keeps no xattrs); where the vfs driver is usable, `doctor` says.</summary>
    public static string? FindCp() => ExecutableSearch.Find("cp", ["PATH=/usr/bin:/bin"]);

    private static string Cp() => FindCp() ?? throw new MiniRunException("cp is not installed: the vfs storage driver copies trees with it (apt-get install coreutils)");
}
