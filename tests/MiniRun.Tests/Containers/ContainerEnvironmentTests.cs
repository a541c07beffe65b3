using MiniRun.Containers;

namespace MiniRun.Tests.Containers;

public class ContainerEnvironmentTests
{
    [Fact]
    public void Compose_ImageEnvAndUserEnv_OverrideInPlaceAsDocker()
    {
        var env = ContainerEnvironment.Compose(["PATH=/bin", "A=image"], ["A=user", "B=2"], "box");

        Assert.Equal(["PATH=/bin", "HOSTNAME=box", "A=user", "B=2"], env);
    }

    [Fact]
    public void Compose_NameWithoutValue_IsTakenFromOurEnvironment()
    {
        Environment.SetEnvironmentVariable("MINIRUN_TEST_PASSTHROUGH", "yes");
        var env = ContainerEnvironment.Compose([], ["MINIRUN_TEST_PASSTHROUGH", "MINIRUN_TEST_UNSET_VARIABLE"], "h");

        Assert.Contains("MINIRUN_TEST_PASSTHROUGH=yes", env);
        Assert.DoesNotContain(env, e => e.StartsWith("MINIRUN_TEST_UNSET_VARIABLE", StringComparison.Ordinal));
    }

    [Fact]
    public void WithHome_KeepsAnExplicitHome()
    {
        Assert.Contains("HOME=/custom", ContainerEnvironment.WithHome(["HOME=/custom"], "/root"));
        Assert.Contains("HOME=/root", ContainerEnvironment.WithHome(["A=1"], "/root"));
    }
}
