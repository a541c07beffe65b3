using MiniRun.Fixtures;

namespace MiniRun.Tests.Runtime.Engines;

/// <summary>
/// A Docker daemon of the test's own (its own data root, exec root, socket, pid file and managed containerd; no
/// iptables, no bridge) with MiniRun added as runtime "minirun" (`dockerd --add-runtime minirun=…/minirun-runtime`),
/// so that the machine's daemon is never reconfigured. The parity image is built in it, through runc. Disposed, it
/// removes its containers, stops, and leaves nothing on disk.
/// </summary>
public sealed class PrivateDockerd : IDisposable
{
    private readonly TempDirectory _dir = new("mr-dockerd");
    private readonly EngineDaemon? _daemon;
    private readonly Lazy<string> _parityImage;

    public PrivateDockerd()
    {
        EnginePeer.Require("dockerd", "docker.io");
        EnginePeer.Require("docker", "docker.io");
        EnginePeer.Require("runc", "runc");
        RuntimePath = EnginePeer.RuntimeLink(_dir.Path);
        Host = "unix://" + _dir.Combine("docker.sock");
        _daemon = new EngineDaemon("dockerd",
        [
            "--data-root", _dir.Combine("data"), "--exec-root", _dir.Combine("exec"), "-H", Host, "--pidfile", _dir.Combine("docker.pid"),
            "--iptables=false", "--ip-masq=false", "--bridge=none", "--userland-proxy=false", "--add-runtime", "minirun=" + RuntimePath,
        ], _dir.Combine("dockerd.log"));
        try
        {
            _daemon.WaitUntil(() => TryDocker("info", "--format", "{{.ServerVersion}}").ExitCode == 0, "the test's dockerd");
        }
        catch
        {
            Dispose();
            throw;
        }
        _parityImage = new(BuildParityImage);
    }

    /// <summary>The `minirun-runtime` link the daemon calls.</summary>
    public string RuntimePath { get; }

    /// <summary>The daemon's address for `docker -H`.</summary>
    public string Host { get; }

    public string LogTail => _daemon?.LogTail ?? "";

    /// <summary>The image of parity.Dockerfile (deletes, opaque dirs, hard links, setuid files, a fifo), built here once.</summary>
    public string ParityImage => _parityImage.Value;

    // The legacy builder: no buildx plugin needed, and --network none for RUN steps.
    private static readonly Dictionary<string, string> Environment = new() { ["DOCKER_BUILDKIT"] = "0" };

    /// <summary>`docker -H HOST ARGS…`; throws with what it printed (and the daemon's log) when it fails.</summary>
    public string Docker(params string[] args)
    {
        ExternalCommand.Result result = TryDocker(args);
        return result.ExitCode == 0 ? result.Stdout : throw new InvalidOperationException($"{result}\ndockerd's log:\n{LogTail}");
    }

    public ExternalCommand.Result TryDocker(params string[] args) =>
        ExternalCommand.Run("docker", ["-H", Host, .. args], TimeSpan.FromMinutes(3), Environment);

    private string BuildParityImage()
    {
        Docker("import", BusyboxRootfs.LayerTar, "minirun-parity-base:latest");
        string context = _dir.Combine("context");
        Directory.CreateDirectory(context);
        File.Copy(Path.Combine(MiniRunCli.RepositoryRoot, "tests", "MiniRun.Tests", "Parity", "parity.Dockerfile"), Path.Combine(context, "Dockerfile"));
        Docker("build", "--network", "none", "--force-rm", "--build-arg", "BASE=minirun-parity-base:latest", "-t", "minirun-parity:latest", context);
        return "minirun-parity:latest";
    }

    public void Dispose()
    {
        if (_daemon is not null)
        {
            string ids = TryDocker("ps", "-aq").Stdout.Trim();
            if (ids.Length > 0) TryDocker(["rm", "-f", .. ids.Split('\n')]);
            _daemon.Dispose();
        }
        _dir.Dispose();
    }
}
