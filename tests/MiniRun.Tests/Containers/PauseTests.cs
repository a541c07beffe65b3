using System.Text.Json;

namespace MiniRun.Tests.Containers;

/// <summary>pause and unpause as docker's: frozen (a counter stops), shown as paused, no exec meanwhile, killable.</summary>
public class PauseTests(RunImageFixture fixture) : IClassFixture<RunImageFixture>
{
    private MiniRunCli Cli => fixture.Cli;

    [RootFact]
    public void Pause_FreezesEveryProcess_UnpauseThaws_AndAPausedContainerStillStops()
    {
        // The container counts into a file of a volume-free path the host reads through its upper dir.
        Assert.Equal(0, Cli.Run("run", "-d", "--name", "paused", fixture.Image, "sh", "-c", "i=0; while true; do i=$((i+1)); echo $i > /tmp/n; sleep 0.05; done").ExitCode);
        try
        {
            string id = JsonDocument.Parse(Cli.Run("inspect", "paused").Stdout).RootElement[0].GetProperty("Id").GetString()!;
            string counter = Path.Combine(Cli.StoreRoot, "containers", id, "diff", "tmp", "n");
            RuntimeWait(() => File.Exists(counter));

            MiniRunCli.Result pause = Cli.Run("pause", "paused");
            Assert.True(pause.ExitCode == 0, pause.ToString());
            string frozen = File.ReadAllText(counter);
            Thread.Sleep(400);
            Assert.Equal(frozen, File.ReadAllText(counter));
            Assert.Contains("(Paused)", Cli.Run("ps").Stdout);
            JsonElement state = JsonDocument.Parse(Cli.Run("inspect", "paused").Stdout).RootElement[0].GetProperty("State");
            Assert.Equal("paused", state.GetProperty("Status").GetString());
            Assert.True(state.GetProperty("Paused").GetBoolean());
            MiniRunCli.Result exec = Cli.Run("exec", "paused", "true");
            Assert.NotEqual(0, exec.ExitCode);
            Assert.Contains("is paused", exec.Stderr);
            Assert.Equal(1, Cli.Run("pause", "paused").ExitCode); // already paused

            Assert.Equal(0, Cli.Run("unpause", "paused").ExitCode);
            RuntimeWait(() => File.ReadAllText(counter) != frozen);
            Assert.Equal(1, Cli.Run("unpause", "paused").ExitCode); // not paused

            Assert.Equal(0, Cli.Run("pause", "paused").ExitCode);
            Assert.Equal(0, Cli.Run("kill", "paused").ExitCode); // thawed after the signal: it dies
            RuntimeWait(() => Cli.Run("ps", "-q").Stdout.Trim().Length == 0);
        }
        finally
        {
            Cli.Run("rm", "-f", "paused");
        }
    }

    private static void RuntimeWait(Func<bool> condition)
    {
        for (int i = 0; i < 200 && !condition(); i++) Thread.Sleep(50);
        Assert.True(condition());
    }
}
