using MiniRun.Native;

namespace MiniRun;

/// <summary>Writes a file so that readers see either the old or the new content, never a half-written one.</summary>
public static class AtomicFile
{
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> content)
    {
        string temp = $"{path}.tmp-{Guid.NewGuid():N}";
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
            Syscalls.Fsync(Path.GetDirectoryName(path)!, directory: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }
}
