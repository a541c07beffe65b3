using System.Text;
using System.Text.Json;
using MiniRun.Containers;

namespace MiniRun.Tests.Containers;

/// <summary>The status type keeps state.json as it was: Docker's lower-case names, read and written the same way.</summary>
public sealed class StateStatusTests
{
    [Theory]
    [InlineData("created", StateStatus.Created)]
    [InlineData("running", StateStatus.Running)]
    [InlineData("exited", StateStatus.Exited)]
    public void ReadState_StatusOfAnEarlierMiniRun_IsReadAsItsValue(string onDisk, StateStatus expected)
    {
        byte[] json = Encoding.UTF8.GetBytes($$"""{"Status": "{{onDisk}}", "Pid": 0, "ExitCode": 0}""");

        ContainerState state = JsonSerializer.Deserialize(json, ContainerJsonContext.Default.ContainerState)!;

        Assert.Equal(expected, state.Status);
        Assert.Contains($"\"Status\": \"{onDisk}\"", Encoding.UTF8.GetString(ContainerJsonWriter.Write(state)));
    }

    [Fact]
    public void Name_EveryValue_IsTheGeneratedSerializersSpelling()
    {
        foreach (StateStatus status in Enum.GetValues<StateStatus>())
        {
            string json = JsonSerializer.Serialize(new ContainerState { Status = status }, ContainerJsonContext.Default.ContainerState);
            Assert.Contains($"\"Status\": \"{status.Name()}\"", json);
        }
    }
}
