namespace MiniRun.Tests.Support;

/// <summary>A scratch directory removed with everything under it (mounts included) when the test ends, pass or fail.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; }

    public TempDirectory(string prefix = "minirun-test")
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"{prefix}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        // Detach any mount left below us (a failed test may leave one), deepest first, then delete.
        foreach (string mountPoint in File.ReadAllLines("/proc/self/mounts")
                     .Select(l => l.Split(' ')[1].Replace("\\040", " "))
                     .Where(m => m.StartsWith(Path + "/", StringComparison.Ordinal))
                     .OrderByDescending(m => m.Length))
            MiniRun.Native.Syscalls.TryUnmount(mountPoint, MiniRun.Native.UnmountFlags.Detach);
        try { Directory.Delete(Path, recursive: true); }
        catch (DirectoryNotFoundException) { }
    }
}
