using System.Text;
using System.Text.Json;
using MiniRun.Containers;

namespace MiniRun.Tests.Containers;

/// <summary>The hand-written config.json and state.json are the generated serializer's bytes: old and new stores read alike.</summary>
public class ContainerJsonWriterTests
{
    private static ContainerRecord Record(ContainerResources resources, ContainerSecurity security, NetworkMode network) => new()
    {
        Id = new string('a', 64), Name = "quirky_<turing>&", Created = new DateTimeOffset(2026, 11, 25, 21, 17, 3, 120, TimeSpan.Zero).AddTicks(4567),
        ImageId = "sha256:" + new string('b', 64), ImageName = "minibox:latest",
        Args = ["sh", "-c", "echo \"é\" \\ $x '\u0001' </tag> + 💡"], Env = ["PATH=/bin", "EMPTY=", "U=ü"],
        WorkingDir = "/w d", User = "1000:1000", Hostname = "aaaaaaaaaaaa", Network = network,
        UseChroot = true, AutoRemove = true, Tty = true, OpenStdin = true, StdinOnce = true, ExtraLayers = ["/x/layer"], Layers = ["sha256:" + new string('c', 64)],
        Resources = resources, Security = security,
        Mounts =
        [
            new ContainerMount { Type = ContainerMount.Bind, Source = "/host dir", Destination = "/data", ReadOnly = true },
            new ContainerMount { Type = ContainerMount.Volume, Name = "v1", Source = "/s/volumes/v1/_data", Destination = "/v", Anonymous = true, NoCopy = true },
            new ContainerMount { Type = ContainerMount.Tmpfs, Destination = "/run", Options = "size=1m,mode=1777" },
        ],
        Ulimits = ["nofile=1024:2048", "core=-1:-1"], Init = true, ExtraHosts = ["db:10.0.0.2", "v6:fd00::1"],
        Namespaces = new ContainerNamespaces { Pid = "host", Ipc = "container:d\u00e9j\u00e0 <vu>", Uts = "host", ShmSize = 3 << 20 },
        Labels = new() { ["com.example/\u00e9"] = "x <y> \"z\"", ["empty"] = "" },
        Ports = [new PortBinding { Port = 80, Protocol = "tcp", HostIp = "::", HostPort = 8080 }],
    };

    public static TheoryData<ContainerRecord> Records() => new()
    {
        Record(new ContainerResources(), new ContainerSecurity(), NetworkMode.Host),
        Record(new ContainerResources { MemoryBytes = 64L << 20, PidsLimit = -1, Cpus = 1.5, CpuShares = 512 },
            new ContainerSecurity { CapAdd = ["NET_ADMIN"], CapDrop = ["ALL"], Privileged = true, ReadOnlyRootfs = true, NoNewPrivileges = true },
            NetworkMode.None),
        Record(new ContainerResources { Cpus = 0.1 + 0.2 }, new ContainerSecurity(), NetworkMode.Host) with
            { Args = [], Env = [], ExtraLayers = [], User = "", Namespaces = new(), Labels = [], Ports = [] },
        Record(new ContainerResources(), new ContainerSecurity { SeccompUnconfined = true }, NetworkMode.Host) with
        {
            RestartPolicy = new RestartPolicy { Name = RestartPolicy.OnFailure, MaximumRetryCount = 3 }, StopSignal = "SIGRTMIN+3", StopTimeout = -1,
        },
        Record(new ContainerResources(), new ContainerSecurity { SeccompProfile = "{\n\t\"defaultAction\": \"SCMP_ACT_ALLOW\" <é>\n}\n" }, NetworkMode.Host),
    };

    [Theory]
    [MemberData(nameof(Records))]
    public void Write_Record_IsTheGeneratedSerializersJson(ContainerRecord record)
    {
        byte[] written = ContainerJsonWriter.Write(record);

        Assert.Equal(Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(record, ContainerJsonContext.Default.ContainerRecord)), Encoding.UTF8.GetString(written));
        ContainerRecord read = JsonSerializer.Deserialize(written, ContainerJsonContext.Default.ContainerRecord)!;
        Assert.Equal(written, ContainerJsonWriter.Write(read)); // and back: every member is read as written
    }

    public static TheoryData<ContainerState> States() => new()
    {
        new ContainerState(),
        new ContainerState
        {
            Status = StateStatus.Exited, Pid = 0, PidStartTicks = 123456789012, RunnerPid = 42, RunnerStartTicks = 7, ExitCode = 137,
            Error = "mount …/merged: EINVAL \"quoted\"", OomKilled = true, RestartCount = 12,
            StartedAt = new DateTimeOffset(2026, 11, 25, 21, 0, 0, TimeSpan.FromHours(1)), FinishedAt = DateTimeOffset.UnixEpoch,
        },
    };

    [Theory]
    [MemberData(nameof(States))]
    public void Write_State_IsTheGeneratedSerializersJson(ContainerState state)
    {
        Assert.Equal(Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(state, ContainerJsonContext.Default.ContainerState)),
            Encoding.UTF8.GetString(ContainerJsonWriter.Write(state)));
    }
}
