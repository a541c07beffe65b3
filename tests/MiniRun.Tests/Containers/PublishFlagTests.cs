namespace MiniRun.Tests.Containers;

/// <summary>-p, -P and --expose on the command line: checked before anything is made, and Docker's warning on the host network.</summary>
public sealed class PublishFlagTests(RunImageFixture fixture) : IClassFixture<RunImageFixture>
{
    private MiniRunCli Cli => fixture.Cli;

    [RootFact]
    public void Create_PublishOnHostNetwork_DockersWarning_OnNoneNothing()
    {
        try
        {
            MiniRunCli.Result host = Cli.Run("create", "--name", "publish-host", "--network", "host", "-p", "8080:80", "-p", "127.0.0.1::53/udp", fixture.Image);
            Assert.Equal((0, "WARNING: Published ports are discarded when using host network mode\n"), (host.ExitCode, host.Stderr));
            MiniRunCli.Result none = Cli.Run("create", "--name", "publish-none", "--network", "none", "--publish", "8080:80", "-P", "--expose", "90-91/udp", fixture.Image);
            Assert.Equal((0, ""), (none.ExitCode, none.Stderr));
            MiniRunCli.Result all = Cli.Run("create", "--name", "publish-all", "--network", "host", "--publish-all", fixture.Image);
            Assert.Equal((0, ""), (all.ExitCode, all.Stderr)); // as Docker: only -p's bindings are said to be discarded
        }
        finally
        {
            Cli.Run("rm", "-f", "publish-host", "publish-none", "publish-all");
        }
    }

    [RootFact]
    public void Run_BadPublish_125BeforeAnythingIsMade()
    {
        string before = Cli.RunOk("ps", "-aq").Stdout;
        foreach (string[] flags in new[] { new[] { "-p", "8000-8010:80-85" }, ["--expose", "8080:80"], ["-p", "80", "--expose", "x"] })
        {
            MiniRunCli.Result run = Cli.Run(["run", "--rm", "--name", "publish-bad", .. flags, fixture.Image]);
            Assert.Equal(125, run.ExitCode);
            Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("minirun: invalid ", run.Stderr);
        }
        Assert.Equal(before, Cli.RunOk("ps", "-aq").Stdout);
    }
}
