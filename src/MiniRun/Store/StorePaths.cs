namespace MiniRun.Store;

/// <summary>
/// Where everything lives under the store root (default /var/lib/minirun), laid out like Docker's overlay2:
/// <c>layers/&lt;diffid&gt;/diff</c> per layer, <c>l/&lt;short&gt;</c> links to them, <c>images/</c>, <c>containers/</c>,
/// and <c>tmp/</c> for work in progress that becomes visible only by an atomic rename.
/// </summary>
public sealed record StorePaths(string Root)
{
    public const string DefaultRoot = "/var/lib/minirun";

    /// <summary>A container's record in its directory, named as Docker's; the directory's config.json is its OCI runtime spec.</summary>
    public const string ContainerRecordFile = "config.v2.json";

    public string Layers => Path.Combine(Root, "layers");
    public string Links => Path.Combine(Root, "l");
    public string Images => Path.Combine(Root, "images");
    public string Containers => Path.Combine(Root, "containers");
    /// <summary>Named and anonymous volumes, each a directory with its files in _data (Docker's local driver's layout).</summary>
    public string Volumes => Path.Combine(Root, "volumes");
    public string Temp => Path.Combine(Root, "tmp");
    public string Repositories => Path.Combine(Root, "repositories.json");
    /// <summary>Per-layer unpack locks (<c>locks/layer-&lt;hex&gt;</c>), unlinked by their holder before release.</summary>
    public string Locks => Path.Combine(Root, "locks");
    /// <summary>Compiled seccomp filters (<c>seccomp/&lt;key&gt;.bpf</c>), a cache: each is made again when missing.</summary>
    public string Seccomp => Path.Combine(Root, "seccomp");
    private string StoreLockFile => Path.Combine(Root, "store.lock");

    /// <summary>The root from --root, else $MINIRUN_ROOT, else the default; always absolute.</summary>
    public static StorePaths Resolve(string? root)
    {
        root ??= Environment.GetEnvironmentVariable("MINIRUN_ROOT");
        if (string.IsNullOrEmpty(root)) root = DefaultRoot;
        return new StorePaths(Path.GetFullPath(root));
    }

    /// <summary>
    /// Opens the store: checks its format (<see cref="StoreFormat"/>), makes a new one or migrates an older one
    /// (<see cref="StoreMigrations"/>), and creates its directories (idempotent); once per instance, which a `run`
    /// asked for four times. The store is private: its root, layers/ and containers/ are 0710 and the rest 0700, as
    /// Docker's /var/lib/docker, overlay2/ and containers/ are since CVE-2021-41091, because a layer's or a
    /// container's files (a setuid-root binary among them) must not be reachable by another host user.
    /// </summary>
    public StorePaths EnsureCreated()
    {
        if (_created) return this;
        StorageDriver.CheckFileSystem(Root, RequestedDriver); // before anything of a new store is made
        int? format = StoreFormat.TryRead(this);
        StoreFormat.EnsureKnown(this, format);
        if (format != StoreFormat.Current) Migrations = StoreMigrations.Run(this);
        else MakeDirectories();
        _driver = StorageDriver.Open(this, RequestedDriver);
        _created = true;
        return this;
    }

    /// <summary>The storage driver asked for (--storage-driver, $MINIRUN_STORAGE_DRIVER): checked against the store's own
    /// when it is opened, and recorded when the store is new (<see cref="StorageDriver"/>); null takes the store's.</summary>
    public string? RequestedDriver { get; init; }

    /// <summary>The store's storage driver (<see cref="StorageDriver"/>), read when it is opened.</summary>
    public string Driver => EnsureCreated()._driver!;

    private string? _driver;

    /// <summary>The migrations <see cref="EnsureCreated"/> applied to this store (the command shows them once).</summary>
    public IReadOnlyList<StoreMigration> Migrations { get; private set; } = [];

    /// <summary>The file that records the store's format (<see cref="StoreFormat"/>).</summary>
    public string FormatFile => Path.Combine(Root, "format");

    /// <summary>mkdir(2) of each of the store's directories that is missing, with its mode (subject to the umask).</summary>
    internal void MakeDirectories()
    {
        foreach ((string dir, uint mode) in OwnDirectories) Native.Syscalls.TryMakeDirectory(dir, mode);
    }

    /// <summary>0710: the owner (root) does everything; the group may only pass through; other users nothing.</summary>
    public const uint PrivateMode = 0x1c8;

    /// <summary>0700, for what only minirun itself reads (images, links, work in progress, locks).</summary>
    public const uint OwnerOnlyMode = 0x1c0;

    /// <summary>The store's own directories and their modes, the root first (Docker: root, overlay2, containers 0710; image, tmp 0700).</summary>
    internal (string Dir, uint Mode)[] OwnDirectories =>
    [
        (Root, PrivateMode), (Layers, PrivateMode), (Containers, PrivateMode),
        (Links, OwnerOnlyMode), (Images, OwnerOnlyMode), (Temp, OwnerOnlyMode), (Locks, OwnerOnlyMode),
    ];

    private bool _created;

    /// <summary>Two paths of one root are equal, whether or not either has made its directories yet.</summary>
    public bool Equals(StorePaths? other) => other is not null && Root == other.Root;

    public override int GetHashCode() => Root.GetHashCode(StringComparison.Ordinal);

    /// <summary>
    /// Held shared by every command that adds to the store and then refers to what it added (load, pull, import, commit,
    /// creating a container), and exclusive by those that delete by "nobody uses it" (rmi, prune, check --repair): so a
    /// layer between its publishing and the record that uses it is never taken for garbage.
    /// </summary>
    public Native.FileLock LockShared() => Native.FileLock.Shared(EnsureCreated().StoreLockFile);

    /// <summary>See <see cref="LockShared"/>.</summary>
    public Native.FileLock LockExclusive() => Native.FileLock.Exclusive(EnsureCreated().StoreLockFile);

    /// <summary>The exclusive lock, for <see cref="StoreMigrations"/> while <see cref="EnsureCreated"/> runs (the root exists).</summary>
    internal Native.FileLock LockExclusiveWhileOpening() => Native.FileLock.Exclusive(StoreLockFile);

    /// <summary>
    /// A fresh directory under tmp/ for work that is published by rename when complete. Its name carries the creating
    /// process (PID and start time), so `system prune` can tell work in progress from what a killed minirun left.
    /// </summary>
    public string NewTempDirectory(string purpose)
    {
        string dir = NewTempPath(purpose);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>A fresh name under tmp/, not yet made, named as <see cref="NewTempDirectory"/> names its work.</summary>
    public string NewTempPath(string purpose)
    {
        Native.HostProcess self = Native.HostProcess.Self();
        return Path.Combine(Temp, $"{purpose}-{self.Pid}.{self.StartTicks}-{Guid.NewGuid():N}");
    }
}
