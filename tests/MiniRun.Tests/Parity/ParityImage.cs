using System.Collections.Concurrent;
using MiniRun.Fixtures;

namespace MiniRun.Tests.Parity;

/// <summary>
/// The image the parity tests share (one per test class): built by the real Docker engine from
/// parity.Dockerfile on top of the busybox rootfs, then saved, converted and exported on demand.
/// Nothing is built until a test asks, so skipped tests cost nothing; Dispose removes every
/// Docker image and container it made.
/// </summary>
public sealed class ParityImage : IDisposable
{
    private readonly string _id = Guid.NewGuid().ToString("N")[..10];
    private readonly Lazy<TempDirectory> _work = new(() => new TempDirectory("minirun-parity"));
    private readonly Lazy<string> _image;
    private readonly Lazy<IReadOnlyList<string>> _dockerListing;
    private readonly Lazy<string> _exportTar;
    private readonly ConcurrentDictionary<ParityFormat, Lazy<string>> _archives = new();

    public ParityImage()
    {
        _image = new(Build);
        _dockerListing = new(() => TreeListing.Parse(
            DockerEngine.Docker(["run", "--rm", "--network", "none", Name, .. TreeListing.Command])));
        _exportTar = new(Export);
    }

    /// <summary>
    /// The bundled minibox image built as <paramref name="name"/> into <paramref name="tar"/>, then loaded into Docker and
    /// into <paramref name="cli"/>'s store: the same image, by the same name, in both engines.
    /// </summary>
    public static void LoadMiniboxIntoBoth(string name, string tar, MiniRunCli cli)
    {
        BuildMinibox(name, tar);
        DockerEngine.Docker("load", "-i", tar);
        cli.RunOk("load", "-i", tar);
    }

    /// <summary>The bundled minibox image (images/minibox/build.sh) written to <paramref name="tar"/> under <paramref name="name"/>.</summary>
    public static void BuildMinibox(string name, string tar) =>
        ExternalCommand.CheckResult(ExternalCommand.Run("bash", [Path.Combine(FixturePaths.RepositoryRoot, "images", "minibox", "build.sh"), tar],
            TimeSpan.FromMinutes(2), new Dictionary<string, string> { ["IMAGE_NAME"] = name }));

    /// <summary>The Docker name of the built image; the parity tests give minirun's copy the same name.</summary>
    public string Name => $"minirun-parity-{_id}:latest";

    /// <summary><see cref="Name"/>, built in Docker first if no test has asked for it yet (a test that only runs it in Docker).</summary>
    public string BuiltName => _image.Value;

    private string BaseName => $"minirun-parity-base-{_id}:latest";

    private string WorkDir => _work.Value.Path;

    /// <summary>The tree `docker run` shows, as <see cref="TreeListing"/> lines.</summary>
    public IReadOnlyList<string> DockerListing => _dockerListing.Value;

    /// <summary>The image as a file or directory of the given format, made once.</summary>
    public string Archive(ParityFormat format) =>
        _archives.GetOrAdd(format, f => new Lazy<string>(() => Convert(f))).Value;

    /// <summary>`docker export` of a container created from the image: a flat root filesystem tar.</summary>
    public string ExportTar => _exportTar.Value;

    private string Build()
    {
        // The base: the busybox rootfs as a one-layer image, as `docker import` makes it.
        DockerEngine.Docker("import", BusyboxRootfs.LayerTar, BaseName);

        string context = Path.Combine(WorkDir, "context");
        Directory.CreateDirectory(context);
        File.Copy(Path.Combine(MiniRunCli.RepositoryRoot, "tests", "MiniRun.Tests", "Parity", "parity.Dockerfile"),
            Path.Combine(context, "Dockerfile"));
        // The bridge is off on CI's daemon (dockerd --bridge=none): RUN steps get no network.
        DockerEngine.Docker("build", "--network", "none", "--force-rm", "--build-arg", $"BASE={BaseName}",
            "-t", Name, context);
        return Name;
    }

    private string Convert(ParityFormat format)
    {
        string saveTar = Path.Combine(WorkDir, "docker-save.tar");
        if (!File.Exists(saveTar)) DockerEngine.Docker("save", "-o", saveTar, _image.Value);
        string source = $"docker-archive:{saveTar}";
        // skopeo's oci references are PATH:NAME; NAME becomes org.opencontainers.image.ref.name.
        switch (format)
        {
            case ParityFormat.DockerSave:
                return saveTar;
            case ParityFormat.OciLayoutGzip:
                string gzip = Path.Combine(WorkDir, "oci-gzip");
                DockerEngine.SkopeoCopy("--dest-compress-format", "gzip", source, $"oci:{gzip}:{Name}");
                return gzip;
            case ParityFormat.OciLayoutZstd:
                string zstd = Path.Combine(WorkDir, "oci-zstd");
                DockerEngine.SkopeoCopy("--dest-compress-format", "zstd", source, $"oci:{zstd}:{Name}");
                return zstd;
            case ParityFormat.OciArchive:
                string archive = Path.Combine(WorkDir, "oci-archive.tar");
                DockerEngine.SkopeoCopy(source, $"oci-archive:{archive}:{Name}");
                return archive;
            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, null);
        }
    }

    private string Export()
    {
        string container = DockerEngine.Docker("create", "--network", "none", _image.Value).Trim();
        try
        {
            string tar = Path.Combine(WorkDir, "docker-export.tar");
            DockerEngine.Docker("export", "-o", tar, container);
            return tar;
        }
        finally
        {
            DockerEngine.TryDocker("rm", "-f", container);
        }
    }

    public void Dispose()
    {
        if (_image.IsValueCreated || _work.IsValueCreated)
            DockerEngine.TryDocker("rmi", "-f", Name, BaseName);
        if (_work.IsValueCreated) _work.Value.Dispose();
    }
}
