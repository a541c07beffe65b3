using MiniRun.Native;

namespace MiniRun.Sandbox;

/// <summary>
/// The minirun binary the stages (init, exec) are spawned from: not the file on disk, but the same file seen through a
/// private, detached, read-only overlayfs of its directory, runc ≥ 1.2's answer to CVE-2019-5736
/// (libcontainer/exeseal). A container that reaches a stage's /proc/PID/exe, or runs it with `#!/proc/self/exe`, gets a
/// file it cannot open for writing (EROFS) nor unwrap into the real one; the mount is in no mount namespace, and goes
/// with the last descriptor or program image that holds it. No copy: a sealed memfd of the binary costs ~2.5 ms a start.
/// </summary>
public sealed class RuntimeBinary : IDisposable
{
    /// <summary>Overlayfs wants two lower layers without an upper one; the second is only a filler under the binary's own
    /// directory (the top one, so a file of the same name below cannot hide the binary). The first that does not
    /// overlap the binary's directory (ELOOP) is used.</summary>
    private static readonly string[] FillerLayers = ["/dev", "/run", "/sys"];

    private int _mountFd;
    private int _fileFd;

    private RuntimeBinary(string path, string? lowerDirs, string? unprotected, int mountFd, int fileFd)
    {
        Path = path;
        LowerDirs = lowerDirs;
        Unprotected = unprotected;
        _mountFd = mountFd;
        _fileFd = fileFd;
    }

    /// <summary>This binary on disk.</summary>
    public string Path { get; }

    /// <summary>An O_PATH descriptor of the read-only view to spawn from (while this object lives), or -1: spawn <see cref="Path"/>.</summary>
    public int ProgramFd => _fileFd;

    /// <summary>The overlay's lowerdir option, when the read-only view is made.</summary>
    public string? LowerDirs { get; }

    /// <summary>Why the stages run from the file on disk (the kernel refused the overlay), or null.</summary>
    public string? Unprotected { get; }

    /// <summary>Makes the read-only view of this binary; when the kernel refuses (no overlayfs, no new mount API), the
    /// stages run from the file on disk and <see cref="Unprotected"/> says why.</summary>
    public static RuntimeBinary Open()
    {
        string path = Environment.ProcessPath ?? "/proc/self/exe"; // the link resolved: overlayfs needs the real directory
        string directory = System.IO.Path.GetDirectoryName(path) ?? "/";
        string? filler = null;
        foreach (string candidate in FillerLayers)
            if (!Overlaps(candidate, directory)) { filler = candidate; break; }
        if (filler is null) return new RuntimeBinary(path, null, $"{directory} overlaps every filler layer", -1, -1);
        string lowerDirs = EscapeLowerDir(directory) + ":" + filler;
        int mountFd = -1;
        try
        {
            mountFd = DetachedMount.OpenReadOnlyOverlay(lowerDirs);
            int fileFd = DetachedMount.OpenPathAt(mountFd, System.IO.Path.GetFileName(path));
            return new RuntimeBinary(path, lowerDirs, null, mountFd, fileFd);
        }
        catch (NativeException e)
        {
            if (mountFd >= 0) ProcessControl.Close(mountFd);
            return new RuntimeBinary(path, null, e.Message, -1, -1);
        }
    }

    /// <summary>
    /// Closes our descriptors: a stage spawned from the view keeps the mount alive as its program image until it
    /// execve()s the command, and the kernel frees the mount after the last one.
    /// </summary>
    public void Dispose()
    {
        if (_fileFd >= 0) ProcessControl.Close(_fileFd);
        if (_mountFd >= 0) ProcessControl.Close(_mountFd);
        _fileFd = _mountFd = -1;
    }

    private static bool Overlaps(string a, string b) => IsUnder(a, b) || IsUnder(b, a);

    private static bool IsUnder(string path, string directory) =>
        path == directory || directory == "/" || path.StartsWith(directory + "/", StringComparison.Ordinal);

    /// <summary>overlayfs splits lowerdir at ':' and takes '\' as an escape (overlayfs.rst): both are escaped.</summary>
    private static string EscapeLowerDir(string path) => path.Replace("\\", "\\\\").Replace(":", "\\:");
}
