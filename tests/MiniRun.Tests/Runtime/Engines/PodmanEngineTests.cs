using MiniRun.Fixtures;
using MiniRun.Fixtures.Images;

namespace MiniRun.Tests.Runtime.Engines;

/// <summary>
/// Podman runs its containers with MiniRun (`podman --runtime …/minirun-runtime run --rm`, through conmon), with its
/// storage, run state and temporary files in the test's directory and cgroupfs (no systemd here).
/// </summary>
public sealed class PodmanEngineTests : IDisposable
{
    private readonly TempDirectory _dir = new("mr-podman");
    private readonly bool _hadLibpodParent = Directory.Exists("/sys/fs/cgroup/memory/libpod_parent") || Directory.Exists("/sys/fs/cgroup/libpod_parent");

    private ExternalCommand.Result Podman(params string[] args) => ExternalCommand.Run("podman",
        ["--root", _dir.Combine("root"), "--runroot", _dir.Combine("r") /* podman takes at most 50 characters */, "--tmpdir", _dir.Combine("tmp"), "--cgroup-manager", "cgroupfs",
         "--events-backend", "file", "--storage-driver", "overlay", .. args], TimeSpan.FromMinutes(3));

    public void Dispose()
    {
        Podman("rm", "--all", "--force");
        Podman("rmi", "--all", "--force");
        _dir.Dispose();
        // conmon's cgroups under cgroupfs (libpod_parent/conmon): removed when this test made them and they are empty.
        if (!_hadLibpodParent)
            foreach (string root in Directory.GetDirectories("/sys/fs/cgroup").Append("/sys/fs/cgroup"))
                foreach (string dir in new[] { "libpod_parent/conmon", "libpod_parent" })
                    try { Directory.Delete(Path.Combine(root, dir)); }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    [RootFact]
    public void PodmanRun_WithMiniRunAsRuntime_RunsTheContainer()
    {
        EnginePeer.Require("podman", "podman");
        EnginePeer.Require("conmon", "conmon");
        string runtime = EnginePeer.RuntimeLink(_dir.Path);
        string archive = _dir.Combine("image.tar");
        new ImageArchiveBuilder().AddLayer(BusyboxRootfs.LayerTarBytes()).WithName("localhost/minirun-podman:latest").Write(ArchiveFormat.DockerSaveLegacy, archive);
        ExternalCommand.Result load = Podman("load", "--input", archive);
        Assert.True(load.ExitCode == 0, load.ToString());

        // Podman asks for RLIMIT_NOFILE 1048576 and RLIMIT_NPROC 32768 (and lowers its own), and raising a hard limit
        // needs CAP_SYS_RESOURCE, which a sandbox may withhold (runc fails there too): limits that only lower are asked.
        string nofile = HardLimit("Max open files"), nproc = "4096";
        ExternalCommand.Result run = Podman("--runtime", runtime, "run", "--rm", "--network", "none", "--ulimit", $"nofile={nofile}:{nofile}", "--ulimit", $"nproc={nproc}:{nproc}",
            "--hostname", "podman-box", "localhost/minirun-podman:latest", "sh", "-c", "echo hello from $(hostname) as $(id -u); exit 6");

        Assert.True(run.ExitCode == 6, run.ToString());
        Assert.Equal("hello from podman-box as 0", run.Stdout.Trim());
        Assert.Equal("", Podman("ps", "--all", "--quiet").Stdout.Trim()); // --rm: deleted through the runtime
    }

    private static string HardLimit(string name) =>
        File.ReadAllLines("/proc/self/limits").Single(l => l.StartsWith(name, StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[name.Split(' ').Length + 1]; // "Max open files  SOFT  HARD  UNITS"
}
