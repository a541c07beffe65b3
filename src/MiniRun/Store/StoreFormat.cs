using System.Globalization;
using System.Text;
using MiniRun.Native;

namespace MiniRun.Store;

/// <summary>
/// The store's format version: one number in the file <c>format</c> at its root, as containerd's metadata database
/// and podman's storage record theirs. A newer MiniRun migrates an older store once (<see cref="StoreMigrations"/>);
/// an older MiniRun refuses a newer store rather than misread it. A store without the file was made before the file
/// existed: it is format 1.
/// </summary>
public static class StoreFormat
{
    /// <summary>What this MiniRun writes and reads: the last step of <see cref="StoreMigrations.Steps"/> leads here.</summary>
    public const int Current = 3;

    /// <summary>The format of a store that has no format file (every MiniRun before the file).</summary>
    public const int Unversioned = 1;

    /// <summary>
    /// The recorded format, or null when the store has no format file (a new store, or one of format 1). One open and
    /// one read, as the small kernel files are read: every command opens the store.
    /// </summary>
    public static int? TryRead(StorePaths paths)
    {
        if (KernelFiles.TryReadFirstLine(paths.FormatFile) is not { } text) return null;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int format) && format >= Unversioned) return format;
        throw new MiniRunException($"{paths.FormatFile} holds \"{text}\", not a store format: write the number of the store's format in it " +
            $"({Unversioned} for a store of a MiniRun without the file, {Current} for this one's)");
    }

    /// <summary>Refuses a store this MiniRun does not know how to read.</summary>
    public static void EnsureKnown(StorePaths paths, int? format)
    {
        if (format > Current)
            throw new MiniRunException($"the store at {paths.Root} has format {format}, newer than this minirun knows ({Current}): " +
                "use the newer minirun that wrote it, or another store (--root DIR)");
    }

    /// <summary>
    /// Records <paramref name="format"/>: staged under tmp/ (named after its creator, so an interrupted one is seen as
    /// a crash's leftover), flushed, and renamed over the old file, so a crash leaves the old format or the new one.
    /// </summary>
    public static void Write(StorePaths paths, int format)
    {
        string staged = paths.NewTempPath("format");
        Syscalls.WriteNewFile(staged, Encoding.ASCII.GetBytes(format.ToString(CultureInfo.InvariantCulture) + "\n"), 0x1a4 /* 0644 */);
        Syscalls.Fsync(staged, directory: false);
        CrashPoint.Reach("format-staged");
        Syscalls.Rename(staged, paths.FormatFile);
        Syscalls.Fsync(paths.Root, directory: true);
    }
}
