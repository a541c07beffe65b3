using System.Diagnostics;
using System.Text.Json;

namespace MiniRun.Tests.Parity;

/// <summary>
/// --restart, --stop-signal, --stop-timeout against the real Docker engine: the same container settles the same way
/// (on-failure:3: RestartCount 3, exited) and inspect shows the same RestartPolicy, StopSignal and StopTimeout.
/// </summary>
public sealed class RestartParityTests(ParityImage image) : IClassFixture<ParityImage>
{
    private static readonly string[] Flags = ["--restart", "on-failure:3", "--stop-signal", "USR1", "--stop-timeout", "7", "--network", "none"];

    [DockerFact]
    public void Restart_OnFailure3_SettlesAndInspectsAsDocker()
    {
        using var store = new TempDirectory("minirun-restart-parity");
        var cli = new MiniRunCli(store.Path);
        cli.RunOk("load", "-i", image.Archive(ParityFormat.DockerSave), "--tag", image.Name);
        string docker = $"minirun-restart-{Guid.NewGuid():N}", plain = docker + "-plain";
        try
        {
            cli.RunOk(["run", "-d", "--name", "failing", .. Flags, image.Name, "sh", "-c", "exit 1"]);
            cli.RunOk("create", "--name", "plain", image.Name, "true");
            DockerEngine.Docker(["run", "-d", "--name", docker, .. Flags, image.Name, "sh", "-c", "exit 1"]);
            DockerEngine.Docker("create", "--name", plain, image.Name, "true");

            JsonElement ours = Settled(() => cli.RunOk("inspect", "failing").Stdout);
            JsonElement theirs = Settled(() => DockerEngine.Docker("inspect", docker));
            Assert.Equal(Summary(theirs), Summary(ours));
            Assert.Equal(Summary(Inspect(DockerEngine.Docker("inspect", plain))), Summary(Inspect(cli.RunOk("inspect", "plain").Stdout)));
        }
        finally
        {
            cli.Run("rm", "-f", "failing", "plain");
            DockerEngine.TryDocker("rm", "-f", docker, plain);
        }
    }

    private static JsonElement Inspect(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        return document.RootElement[0].Clone();
    }

    /// <summary>The container once it has stopped restarting (Docker shows no exited state in between; neither does minirun).</summary>
    private static JsonElement Settled(Func<string> inspect)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            JsonElement container = Inspect(inspect());
            if (container.GetProperty("State").GetProperty("Status").GetString() == "exited") return container;
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "the container did not settle");
            Thread.Sleep(50);
        }
    }

    private static string Summary(JsonElement container)
    {
        JsonElement state = container.GetProperty("State"), config = container.GetProperty("Config");
        return string.Join('\n',
            $"Status={state.GetProperty("Status")} Running={state.GetProperty("Running")} Restarting={state.GetProperty("Restarting")} ExitCode={state.GetProperty("ExitCode")}",
            $"RestartCount={container.GetProperty("RestartCount")}",
            $"RestartPolicy={container.GetProperty("HostConfig").GetProperty("RestartPolicy").GetRawText().Replace(" ", "").Replace("\n", "")}",
            $"StopSignal={(config.TryGetProperty("StopSignal", out JsonElement signal) ? signal.GetString() : "(none)")}",
            $"StopTimeout={(config.TryGetProperty("StopTimeout", out JsonElement timeout) ? timeout.GetRawText() : "(none)")}");
    }
}
