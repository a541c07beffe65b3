namespace MiniRun.Tests.Containers;

/// <summary>`port`: a container's published ports, as docker port lists them; MiniRun publishes none yet (no -p).</summary>
public class PortTests(RunImageFixture fixture) : IClassFixture<RunImageFixture>
{
    private MiniRunCli Cli => fixture.Cli;

    [RootFact]
    public void Port_NothingPublished_AnEmptyList_AndAPortIsDockersError()
    {
        try
        {
            Cli.RunOk("run", "-d", "--name", "port-web", fixture.Image, "sleep", "300");
            Cli.RunOk("create", "--name", "port-made", fixture.Image, "true");
            foreach (string name in new[] { "port-web", "port-made" })
            {
                MiniRunCli.Result list = Cli.Run("port", name);
                Assert.Equal((0, "", ""), (list.ExitCode, list.Stdout, list.Stderr));
            }

            // The port as it was asked for, as Docker says it (exit 1).
            foreach (string port in new[] { "80", "80/tcp", "53/udp" })
            {
                MiniRunCli.Result asked = Cli.Run("port", "port-web", port);
                Assert.Equal((1, "", $"minirun: No public port '{port}' published for port-web\n"), (asked.ExitCode, asked.Stdout, asked.Stderr));
            }
            MiniRunCli.Result notANumber = Cli.Run("port", "port-web", "http");
            Assert.Equal(1, notANumber.ExitCode);
            Assert.StartsWith("minirun: invalid port (http)", notANumber.Stderr);
            MiniRunCli.Result unknown = Cli.Run("port", "nosuch");
            Assert.Equal((1, "minirun: No such container: nosuch\n"), (unknown.ExitCode, unknown.Stderr));
            Assert.Equal(1, Cli.Run("port").ExitCode); // argument counts: 1, as docker port
            Assert.Equal(1, Cli.Run("port", "port-web", "80", "81").ExitCode);
        }
        finally
        {
            Cli.Run("rm", "-f", "port-web", "port-made");
        }
    }
}
