using MiniRun.Fixtures;
using MiniRun.Fixtures.Images;

namespace MiniRun.Tests.Runtime.Engines;

/// <summary>
/// containerd's runc shim (io.containerd.runc.v2, the one Kubernetes nodes use) with MiniRun as its runc binary:
/// `ctr run --runc-binary …/minirun-runtime`, then `ctr task exec` into it and `ctr task kill`, in a containerd of the
/// test's own (root, state, socket and config in the test's directory).
/// </summary>
public sealed class ContainerdEngineTests : IDisposable
{
    private readonly TempDirectory _dir = new("mr-ctd");
    private EngineDaemon? _containerd;

    /// <summary>The containerd namespace, also the parent of its containers' cgroups (removed after).</summary>
    private readonly string _namespace = "minirun-test-" + Guid.NewGuid().ToString("N")[..8];

    private string Socket => _dir.Combine("containerd.sock");

    private ExternalCommand.Result Ctr(params string[] args) => ExternalCommand.Run("ctr", ["--address", Socket, "--namespace", _namespace, .. args], TimeSpan.FromMinutes(2));

    private string CheckCtr(params string[] args)
    {
        ExternalCommand.Result result = Ctr(args);
        return result.ExitCode == 0 ? result.Stdout : throw new InvalidOperationException($"{result}\ncontainerd's log:\n{_containerd?.LogTail}");
    }

    public void Dispose()
    {
        if (_containerd is not null)
        {
            Ctr("task", "kill", "--signal", "SIGKILL", "box");
            Ctr("task", "delete", "--force", "box");
            Ctr("container", "delete", "box");
            _containerd.Dispose();
        }
        _dir.Dispose();
        foreach (string hierarchy in Directory.GetDirectories("/sys/fs/cgroup").Append("/sys/fs/cgroup"))
            if (Directory.Exists(Path.Combine(hierarchy, _namespace)))
                foreach (string dir in Directory.GetDirectories(Path.Combine(hierarchy, _namespace), "*", SearchOption.AllDirectories).Reverse().Append(Path.Combine(hierarchy, _namespace)))
                    try { Directory.Delete(dir); }
                    catch (IOException) { } // still busy: a process the test did not end
    }

    [RootFact]
    public void CtrRun_WithMiniRunAsRuncBinary_RunsExecsAndKills()
    {
        EnginePeer.Require("containerd", "containerd");
        EnginePeer.Require("ctr", "containerd");
        EnginePeer.Require("containerd-shim-runc-v2", "containerd");
        string runtime = EnginePeer.RuntimeLink(_dir.Path);
        string config = _dir.Combine("config.toml");
        File.WriteAllText(config, $"""
            version = 2
            root = "{_dir.Combine("root")}"
            state = "{_dir.Combine("state")}"
            disabled_plugins = ["io.containerd.grpc.v1.cri"]
            [grpc]
              address = "{Socket}"
            [ttrpc]
              address = "{Socket}.ttrpc"
            [debug]
              address = "{_dir.Combine("debug.sock")}"
            [metrics]
              address = ""
            """);
        _containerd = new EngineDaemon("containerd", ["--config", config], _dir.Combine("containerd.log"));
        _containerd.WaitUntil(() => Ctr("version").ExitCode == 0, "the test's containerd");
        string archive = _dir.Combine("image.tar");
        new ImageArchiveBuilder().AddLayer(BusyboxRootfs.LayerTarBytes()).WithName("localhost/minirun-ctr:latest").Write(ArchiveFormat.DockerSaveLegacy, archive);
        CheckCtr("images", "import", archive);

        CheckCtr("run", "--detach", "--runtime", "io.containerd.runc.v2", "--runc-binary", runtime, "localhost/minirun-ctr:latest", "box",
            "sh", "-c", "trap 'exit 9' TERM; echo $$ > /tmp/pid1; while :; do sleep 0.1; done");
        Assert.True(EnginePeer.WaitFor(() => CheckCtr("task", "ls").Contains("RUNNING")), CheckCtr("task", "ls"));

        string exec = CheckCtr("task", "exec", "--exec-id", "probe", "box", "sh", "-c", "echo exec sees pid1=$(cat /tmp/pid1): $(head -c 7 /proc/1/cmdline | tr '\\0' ' ')");
        Assert.Equal("exec sees pid1=1: sh -c t", exec.Trim()); // the container's PID namespace and root
        Assert.True(CheckCtr("task", "ps", "box").Split('\n', StringSplitOptions.RemoveEmptyEntries).Length >= 3); // the header, sh, sleep

        CheckCtr("task", "kill", "box"); // SIGTERM
        Assert.True(EnginePeer.WaitFor(() => CheckCtr("task", "ls").Contains("STOPPED")), CheckCtr("task", "ls"));
        CheckCtr("task", "delete", "box");
        CheckCtr("container", "delete", "box");
    }
}
