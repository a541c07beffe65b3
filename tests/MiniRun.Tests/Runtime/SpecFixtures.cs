using MiniRun.Containers;
using MiniRun.Runtime.Spec;
using MiniRun.Sandbox;
using MiniRun.Sandbox.Seccomp;

namespace MiniRun.Tests.Runtime;

/// <summary>Records and a host as the spec tests feed them: no root, no /proc read, the same on every machine.</summary>
internal static class SpecFixtures
{
    public const string Id = "0123456789ab0123456789ab0123456789ab0123456789ab0123456789abcdef";
    public const string RootFs = "/store/containers/c/merged";

    /// <summary>Kernel 6.1, 41 capabilities, minirun holding them all, a host /dev of two nodes.</summary>
    public static SpecHost Host { get; } = new(40, (1UL << 41) - 1)
    {
        Devices = () => [new DeviceNode("dev/null", 1, 3, 0x1b6), new DeviceNode("dev/sda", 8, 0, 0x1b0, Block: true)],
        Kernel = () => new KernelVersion(6, 1),
    };

    public static ContainerRecord Record(ContainerSecurity? security = null, ContainerResources? resources = null,
        NetworkMode network = NetworkMode.Host) => new()
    {
        Id = Id,
        Name = "test",
        Created = DateTimeOffset.UnixEpoch,
        ImageId = "sha256:17c4202461d6563256b936e6e1a93573a76c27a26330eaae16fe7b5fc0c813f1",
        ImageName = "minibox",
        Args = ["sleep", "300"],
        Env = [ContainerEnvironment.DefaultPath, "HOSTNAME=" + Id[..12]],
        WorkingDir = "/",
        Hostname = Id[..12],
        Network = network,
        Layers = [],
        Security = security ?? new ContainerSecurity(),
        Resources = resources ?? new ContainerResources(),
    };

    public static OciSpec Generate(ContainerRecord record, ContainerUser? user = null, bool withSeccomp = false) =>
        SpecGenerator.Generate(record, user ?? ContainerUser.Root, Host, RootFs, withSeccomp);

    /// <summary>A config.json that Docker 20.10.24 (Debian 12's) wrote for `docker run minibox sleep 300`, ids replaced.</summary>
    public static OciSpec Docker(string name) =>
        OciSpecJson.Parse(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Runtime", "Fixtures", name)), name);
}
