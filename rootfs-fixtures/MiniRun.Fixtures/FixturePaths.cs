namespace MiniRun.Fixtures;

/// <summary>Where the generators live: found from the test binary upwards, by MiniRun.sln.</summary>
public static class FixturePaths
{
    public static string RepositoryRoot
    {
        get
        {
            string? dir = AppContext.BaseDirectory;
            while (dir is not null && !File.Exists(Path.Combine(dir, "MiniRun.sln"))) dir = Path.GetDirectoryName(dir);
            return dir ?? throw new InvalidOperationException("cannot find the repository root (MiniRun.sln) above the test binary");
        }
    }

    public static string FixturesDirectory => Path.Combine(RepositoryRoot, "rootfs-fixtures");
}
