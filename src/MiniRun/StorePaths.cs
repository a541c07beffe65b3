namespace MiniRun;

/// <summary>
/// Where everything lives under the store root (default /var/lib/minirun), laid out like Docker's overlay2:
/// <c>layers/&lt;diffid&gt;/diff</c> per layer, <c>l/&lt;short&gt;</c> links to them, <c>images/</c>, <c>containers/</c>,
/// and <c>tmp/</c> for work in progress that becomes visible only by an atomic rename.
/// </summary>
public sealed record StorePaths(string Root)
{
    public const string DefaultRoot = "/var/lib/minirun";

    public string Layers => Path.Combine(Root, "layers");
    public string Links => Path.Combine(Root, "l");
    public string Images => Path.Combine(Root, "images");
    public string Containers => Path.Combine(Root, "containers");
    public string Temp => Path.Combine(Root, "tmp");
    public string Repositories => Path.Combine(Root, "repositories.json");

    /// <summary>The root from --root, else $MINIRUN_ROOT, else the default; always absolute.</summary>
    public static StorePaths Resolve(string? root)
    {
        root ??= Environment.GetEnvironmentVariable("MINIRUN_ROOT");
        if (string.IsNullOrEmpty(root)) root = DefaultRoot;
        return new StorePaths(Path.GetFullPath(root));
    }

    /// <summary>Creates the store's directories (idempotent).</summary>
    public StorePaths EnsureCreated()
    {
        foreach (string dir in new[] { Root, Layers, Links, Images, Containers, Temp })
            Directory.CreateDirectory(dir);
        return this;
    }

    /// <summary>
    /// A fresh directory under tmp/ for work that is published by rename when complete. Its name carries the creating
    /// process (PID and start time), so `system prune` can tell work in progress from what a killed minirun left.
    /// </summary>
    public string NewTempDirectory(string purpose)
    {
        Sandbox.HostProcess self = Sandbox.HostProcess.Self();
        string dir = Path.Combine(Temp, $"{purpose}-{self.Pid}.{self.StartTicks}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }
}
