using System.Runtime.InteropServices;
using MiniRun.Native;

namespace MiniRun.Tests.Sandbox;

public sealed class SignalsTests
{
    [Theory]
    [InlineData("KILL", Signal.Kill)]
    [InlineData("sigterm", Signal.Term)]
    [InlineData("SIGSTOP", Signal.Stop)]
    [InlineData("18", Signal.Cont)]
    [InlineData("2", Signal.Int)]
    public void Parse_NameOrNumber_IsTheLinuxSignal(string text, Signal expected)
    {
        Assert.Equal(expected, Signals.Parse(text));
    }

    [Fact]
    public void Parse_RealTimeNumber_IsKeptAsNumber()
    {
        Assert.Equal(40, (int)Signals.Parse("40"));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("65")]
    [InlineData("SIGNOPE")]
    public void Parse_Unknown_IsRefused(string text)
    {
        Assert.Equal($"invalid signal: {text}", Assert.Throws<MiniRunException>(() => Signals.Parse(text)).Message);
    }

    [Fact]
    public void Of_DotNetPosixSignals_AreLinuxNumbers()
    {
        Assert.Equal([1, 2, 3, 15], new[] { PosixSignal.SIGHUP, PosixSignal.SIGINT, PosixSignal.SIGQUIT, PosixSignal.SIGTERM }.Select(s => (int)Signals.Of(s)));
    }
}
