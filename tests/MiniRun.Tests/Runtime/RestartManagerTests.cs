using MiniRun.Containers;
using MiniRun.Runtime.Lifecycle;

namespace MiniRun.Tests.Runtime;

/// <summary>moby's restartmanager rules: the policies, the retry limit, the back-off that doubles and resets after 10 s.</summary>
public class RestartManagerTests
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(50);

    [Fact]
    public void ShouldRestart_OnFailure3_ThreeRestartsOnFailureOnly_BackOffDoubles()
    {
        var manager = new RestartManager(RestartPolicy.Parse("on-failure:3"), restartCount: 0);

        Assert.Equal(TimeSpan.FromMilliseconds(100), manager.ShouldRestart(1, false, Short));
        Assert.Equal(TimeSpan.FromMilliseconds(200), manager.ShouldRestart(1, false, Short));
        Assert.Equal(TimeSpan.FromMilliseconds(400), manager.ShouldRestart(2, false, Short));
        Assert.Null(manager.ShouldRestart(1, false, Short)); // the fourth failure stays exited
        Assert.Equal(3, manager.RestartCount);

        Assert.Null(new RestartManager(RestartPolicy.Parse("on-failure"), 0).ShouldRestart(0, false, Short)); // success: no restart
        var unlimited = new RestartManager(RestartPolicy.Parse("on-failure"), restartCount: 1000);
        Assert.NotNull(unlimited.ShouldRestart(1, false, Short)); // 0: no limit
    }

    [Fact]
    public void ShouldRestart_BackOff_CapsAtAMinute_AndATenSecondRunResetsIt()
    {
        var manager = new RestartManager(RestartPolicy.Parse("always"), 0);
        TimeSpan? delay = null;
        for (int i = 0; i < 12; i++) delay = manager.ShouldRestart(0, false, Short);
        Assert.Equal(TimeSpan.FromMinutes(1), delay);
        Assert.Equal(TimeSpan.FromMilliseconds(100), manager.ShouldRestart(0, false, TimeSpan.FromSeconds(10)));
        Assert.Equal(TimeSpan.FromMilliseconds(200), manager.ShouldRestart(0, false, TimeSpan.FromSeconds(9.9)));
    }

    [Fact]
    public void ShouldRestart_HandedOver_GoesOnFromTheFirstDelay()
    {
        var manager = new RestartManager(RestartPolicy.Parse("always"), restartCount: 1, lastDelay: RestartManager.FirstDelay);
        Assert.Equal(TimeSpan.FromMilliseconds(200), manager.ShouldRestart(0, false, Short));
        Assert.Equal(2, manager.RestartCount);
    }

    [Fact]
    public void ShouldRestart_AlwaysUnlessStoppedNo_AsDocker()
    {
        Assert.NotNull(new RestartManager(RestartPolicy.Parse("always"), 0).ShouldRestart(0, manuallyStopped: true, Short));
        Assert.NotNull(new RestartManager(RestartPolicy.Parse("unless-stopped"), 0).ShouldRestart(0, manuallyStopped: false, Short));
        Assert.Null(new RestartManager(RestartPolicy.Parse("unless-stopped"), 0).ShouldRestart(1, manuallyStopped: true, Short));
        Assert.Null(new RestartManager(RestartPolicy.Parse("no"), 0).ShouldRestart(1, false, Short));
        Assert.Null(new RestartManager(RestartPolicy.Parse(""), 0).ShouldRestart(1, false, Short));
    }

    [Theory]
    [InlineData("no", "no", 0)]
    [InlineData("always", "always", 0)]
    [InlineData("unless-stopped", "unless-stopped", 0)]
    [InlineData("on-failure", "on-failure", 0)]
    [InlineData("on-failure:5", "on-failure", 5)]
    public void Parse_DockersValues(string flag, string name, int count)
    {
        RestartPolicy policy = RestartPolicy.Parse(flag);
        Assert.Equal(name, policy.Name);
        Assert.Equal(count, policy.MaximumRetryCount);
    }

    [Theory]
    [InlineData("sometimes", "invalid restart policy 'sometimes'")]
    [InlineData("unless-stopped:2", "maximum retry count cannot be used with restart policy 'unless-stopped'")]
    [InlineData("on-failure:three", "invalid restart policy format: maximum retry count must be an integer")]
    [InlineData("on-failure:-2", "maximum retry count cannot be negative")]
    public void Parse_Nonsense_DockersMessage(string flag, string message) =>
        Assert.Equal(message, Assert.ThrowsAny<MiniRunException>(() => RestartPolicy.Parse(flag)).Message);
}
