
namespace MiniRun.Native;

/// <summary>Writes a file so that readers see either the old or the new content, never a half-written one.</summary>
public static class AtomicFile
{
    /// <param name="durable">fsync the file and its directory: for records a crash must not lose (names, images),
    /// not for advisory ones rewritten on every run (container state), where it would only cost start-up time.</param>
    /// <param name="mode">the new file's permissions (durable writes only); default 0666 less the umask.</param>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> content, bool durable = true, UnixFileMode? mode = null)
    {
        string temp = $"{path}.tmp-{Guid.NewGuid():N}";
        try
        {
            if (durable)
            {
                var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (mode is { } permissions) options.UnixCreateMode = permissions;
                using var stream = new FileStream(temp, options);
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            else Syscalls.WriteNewFile(temp, content); // open, write, close: a run writes its state twice on its way to the start
            Syscalls.Rename(temp, path);
            if (durable) Syscalls.Fsync(Path.GetDirectoryName(path)!, directory: true);
        }
        catch
        {
            // Best effort: with the directory itself gone there is nothing to clean, and the first error is the one to tell.
            try { File.Delete(temp); }
            catch (IOException) { }
            throw;
        }
    }
}
