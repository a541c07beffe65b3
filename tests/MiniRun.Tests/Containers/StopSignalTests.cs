using System.Diagnostics;
using System.Text.Json;
using MiniRun.Fixtures;
using MiniRun.Fixtures.Images;

namespace MiniRun.Tests.Containers;

/// <summary>--stop-signal and --stop-timeout (and an image's StopSignal) are the container's: `stop` sends that signal and waits that long.</summary>
public class StopSignalTests(RunImageFixture fixture) : IClassFixture<RunImageFixture>
{
    private MiniRunCli Cli => fixture.Cli;

    /// <summary>Traps USR1, USR2 and TERM, each ending the command with its own status; "ready" once the traps are set.</summary>
    private const string Traps = "trap 'echo got USR1; exit 7' USR1; trap 'echo got USR2; exit 8' USR2; trap 'echo got TERM; exit 9' TERM; " +
                                 "echo ready; while :; do sleep 0.1; done";

    private JsonElement Config(string name)
    {
        using JsonDocument document = JsonDocument.Parse(Cli.RunOk("inspect", name).Stdout);
        return document.RootElement[0].GetProperty("Config").Clone();
    }

    private void WaitForReady(string name)
    {
        var clock = Stopwatch.StartNew();
        while (!Cli.Run("logs", name).Stdout.Contains("ready"))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"{name} never got ready");
            Thread.Sleep(20);
        }
    }

    [RootFact]
    public void Stop_SendsTheStopSignalGiven_InspectShowsIt()
    {
        try
        {
            Cli.RunOk("run", "-d", "--name", "ss-usr1", "--stop-signal", "SIGUSR1", "--stop-timeout", "4", fixture.Image, "sh", "-c", Traps);
            Cli.RunOk("run", "-d", "--name", "ss-default", fixture.Image, "sh", "-c", Traps);
            WaitForReady("ss-usr1");
            WaitForReady("ss-default");
            Cli.RunOk("stop", "ss-usr1", "ss-default");

            Assert.Equal("ready\ngot USR1\n", Cli.RunOk("logs", "ss-usr1").Stdout);
            Assert.Equal("7\n", Cli.RunOk("wait", "ss-usr1").Stdout);
            Assert.Equal("ready\ngot TERM\n", Cli.RunOk("logs", "ss-default").Stdout);
            JsonElement config = Config("ss-usr1");
            Assert.Equal("SIGUSR1", config.GetProperty("StopSignal").GetString());
            Assert.Equal(4, config.GetProperty("StopTimeout").GetInt32());
            JsonElement none = Config("ss-default"); // Docker leaves both out when nothing set them
            Assert.False(none.TryGetProperty("StopSignal", out _));
            Assert.False(none.TryGetProperty("StopTimeout", out _));
        }
        finally
        {
            Cli.Run("rm", "-f", "ss-usr1", "ss-default");
        }
    }

    [RootFact]
    public void Stop_TheImagesStopSignal_IsHonoured_AndTheFlagWins()
    {
        const string image = "stopsignal-image:latest";
        var builder = new ImageArchiveBuilder { StopSignal = "SIGUSR2" }.AddLayer(BusyboxRootfs.LayerTarBytes()).WithName(image);
        string archive = fixture.Scratch.Combine("stopsignal.tar");
        builder.Write(ArchiveFormat.DockerSave, archive);
        Cli.RunOk("load", "-i", archive);
        try
        {
            Cli.RunOk("run", "-d", "--name", "ss-image", image, "sh", "-c", Traps);
            Cli.RunOk("run", "-d", "--name", "ss-flag", "--stop-signal", "USR1", image, "sh", "-c", Traps);
            WaitForReady("ss-image");
            WaitForReady("ss-flag");
            Cli.RunOk("stop", "ss-image", "ss-flag");

            Assert.Equal("ready\ngot USR2\n", Cli.RunOk("logs", "ss-image").Stdout);
            Assert.Equal("SIGUSR2", Config("ss-image").GetProperty("StopSignal").GetString()); // copied from the image, as Docker's create does
            Assert.Equal("ready\ngot USR1\n", Cli.RunOk("logs", "ss-flag").Stdout);
        }
        finally
        {
            Cli.Run("rm", "-f", "ss-image", "ss-flag");
            Cli.Run("rmi", image);
        }
    }

    [RootFact]
    public void Stop_TheRecordsStopTimeout_BoundsTheWait_AndDashTOverridesIt()
    {
        const string deaf = "trap '' TERM; echo ready; while :; do sleep 0.1; done"; // PID 1 ignores SIGTERM: only SIGKILL ends it
        try
        {
            Cli.RunOk("run", "-d", "--name", "ss-short", "--stop-timeout", "1", fixture.Image, "sh", "-c", deaf);
            Cli.RunOk("run", "-d", "--name", "ss-long", "--stop-timeout", "60", fixture.Image, "sh", "-c", deaf);
            WaitForReady("ss-short");
            WaitForReady("ss-long");

            var clock = Stopwatch.StartNew();
            Cli.RunOk("stop", "ss-short");
            TimeSpan waited = clock.Elapsed;
            Assert.InRange(waited, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(6));
            Assert.Equal("137\n", Cli.RunOk("wait", "ss-short").Stdout);

            clock.Restart();
            Cli.RunOk("stop", "-t", "1", "ss-long"); // not the recorded 60 s
            Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(6));
            Assert.Equal("137\n", Cli.RunOk("wait", "ss-long").Stdout);
        }
        finally
        {
            Cli.Run("rm", "-f", "ss-short", "ss-long");
        }
    }

    [RootFact]
    public void StopSignalAndTimeout_Nonsense_IsRefused_NothingMade()
    {
        MiniRunCli.Result signal = Cli.Run("create", "--name", "ss-bad", "--stop-signal", "NOPE", fixture.Image, "true");
        Assert.Equal(1, signal.ExitCode); // docker create: the engine refuses the signal
        Assert.Equal("minirun: invalid signal: NOPE\n", signal.Stderr);
        MiniRunCli.Result timeout = Cli.Run("create", "--name", "ss-bad", "--stop-timeout", "soon", fixture.Image, "true");
        Assert.Equal(125, timeout.ExitCode);
        Assert.Contains("--stop-timeout", timeout.Stderr);
        Assert.NotEqual(0, Cli.Run("inspect", "ss-bad").ExitCode);
        // A real-time signal by name, as systemd images stop with SIGRTMIN+3: 37.
        Cli.RunOk("create", "--name", "ss-rt", "--stop-signal", "SIGRTMIN+3", fixture.Image, "true");
        Cli.RunOk("rm", "ss-rt");
    }
}
