namespace MiniRun.Fixtures;

/// <summary>
/// The busybox root filesystem of rootfs-fixtures/busybox-rootfs.sh (the same one the default image
/// `minibox` is built from), as a directory or a layer tar. Built once per test run and cached:
/// treat the cached copies as read-only and use <see cref="CreateIn"/> or <see cref="CopyTo"/> to change one.
/// </summary>
public static class BusyboxRootfs
{
    public static string GeneratorPath => Path.Combine(FixturePaths.FixturesDirectory, "busybox-rootfs.sh");

    private static readonly Lazy<string> CacheRoot = new(CreateCacheRoot);
    private static readonly Lazy<string> CachedDirectory = new(() => CreateIn(Path.Combine(CacheRoot.Value, "rootfs")));
    private static readonly Lazy<string> CachedLayerTar = new(() => PackLayer(Directory, Path.Combine(CacheRoot.Value, "layer.tar")));

    /// <summary>The cached tree (read-only by convention).</summary>
    public static string Directory => CachedDirectory.Value;

    /// <summary>The cached tree as an uncompressed, deterministic layer tar (read-only by convention).</summary>
    public static string LayerTar => CachedLayerTar.Value;

    /// <summary>The bytes of <see cref="LayerTar"/>, for builders that assemble archives in memory.</summary>
    public static byte[] LayerTarBytes() => File.ReadAllBytes(LayerTar);

    /// <summary>Runs the generator into <paramref name="directory"/> (which must not exist or be empty).</summary>
    public static string CreateIn(string directory)
    {
        ExternalCommand.CheckResult(ExternalCommand.Run("bash", [GeneratorPath, directory], TimeSpan.FromMinutes(2)));
        return directory;
    }

    /// <summary>Copies the cached tree, owners, modes, times and links as they are, into a new directory.</summary>
    public static string CopyTo(string directory)
    {
        System.IO.Directory.CreateDirectory(directory);
        ExternalCommand.Check("cp", "-a", Directory + "/.", directory);
        return directory;
    }

    /// <summary>
    /// Packs <paramref name="directory"/> as a layer tar: sorted names, fixed times, numeric owners,
    /// the same bytes every time (images/minibox/build.sh packs the same way).
    /// </summary>
    public static string PackLayer(string directory, string tarPath)
    {
        List<string> args = ["--format=gnu", "--sort=name", "--mtime=@0", "--numeric-owner"];
        // Only root can have made root-owned files; as anyone else, record them as root all the same.
        if (!IsRoot()) args.AddRange(["--owner=0", "--group=0"]);
        args.AddRange(["-C", directory, "-cf", tarPath, "."]);
        ExternalCommand.Check("tar", [.. args]);
        return tarPath;
    }

    private static bool IsRoot() => ExternalCommand.Check("id", "-u").Trim() == "0";

    private static string CreateCacheRoot()
    {
        // The test host may be killed rather than exit: sweep caches whose process is gone.
        foreach (string stale in System.IO.Directory.EnumerateDirectories(Path.GetTempPath(), "minirun-fixtures-*"))
        {
            string pid = Path.GetFileName(stale)["minirun-fixtures-".Length..];
            if (!System.IO.Directory.Exists($"/proc/{pid}")) TryDelete(stale);
        }

        string root = Path.Combine(Path.GetTempPath(), $"minirun-fixtures-{Environment.ProcessId}");
        if (System.IO.Directory.Exists(root)) System.IO.Directory.Delete(root, recursive: true);
        System.IO.Directory.CreateDirectory(root);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(root);
        return root;
    }

    private static void TryDelete(string directory)
    {
        try { System.IO.Directory.Delete(directory, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
