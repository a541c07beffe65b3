using System.Text.Json;
using MiniRun.Runtime.Lifecycle;
using MiniRun.Runtime.Spec;

namespace MiniRun.Tests.Runtime;

/// <summary>state.json, written and read member by member, is the same JSON the serializer writes and reads.</summary>
public class BundleStateFileTests
{
    private static readonly BundleState Plain = new()
    {
        Id = "c1", Bundle = "/b", Rootfs = "/b/rootfs", Pid = 42, PidStartTicks = 123456789, Cgroup = "minirun-runtime/c1",
        Created = new DateTimeOffset(2026, 12, 2, 13, 45, 30, 123, TimeSpan.Zero),
    };

    [Fact]
    public void Write_Plain_IsWhatTheSerializerWrites_AndReadsBack()
    {
        byte[] ours = BundleStateFile.Write(Plain);
        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(Plain, BundleStateJsonContext.Default.BundleState), ours);
        Assert.Equal(Plain, BundleStateFile.Read(ours));
    }

    [Fact]
    public void Read_WithHooksAndAnnotations_KeepsThem()
    {
        BundleState full = Plain with
        {
            Annotations = new() { ["a"] = "b" },
            Hooks = new OciHooks { Poststop = [new OciHook { Path = "/bin/true", Args = ["true", "x"] }] },
        };
        BundleState read = BundleStateFile.Read(BundleStateFile.Write(full))!;
        Assert.Equal("b", read.Annotations!["a"]);
        Assert.Equal(["true", "x"], read.Hooks!.Poststop![0].Args!);
        Assert.Equal(42, read.Pid);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("{\"id\":\"c1\"}")]
    public void Read_NotAState_IsNull(string json) => Assert.Null(BundleStateFile.Read(System.Text.Encoding.UTF8.GetBytes(json)));
}
