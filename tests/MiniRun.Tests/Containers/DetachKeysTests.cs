using System.Text;
using MiniRun.Containers.Attach;

namespace MiniRun.Tests.Containers;

/// <summary>Docker's detach keys: its --detach-keys format, and a sequence begun but not finished passed on as typed.</summary>
public class DetachKeysTests
{
    private static (bool Detached, string Forwarded) Feed(DetachKeys keys, string typed)
    {
        var forward = new List<byte>();
        bool detached = keys.Feed(Encoding.ASCII.GetBytes(typed), forward);
        return (detached, Encoding.ASCII.GetString(forward.ToArray()));
    }

    [Fact]
    public void Feed_CtrlPCtrlQ_Detaches_WhatCameBeforeIsPassedOn()
    {
        Assert.Equal((true, "ls"), Feed(DetachKeys.Parse(null), "ls\u0010\u0011after"));
    }

    [Fact]
    public void Feed_CtrlPThenAnotherKey_PassesBothOn()
    {
        DetachKeys keys = DetachKeys.Parse(DetachKeys.Default);

        Assert.Equal((false, ""), Feed(keys, "\x10")); // held back: the sequence may go on
        Assert.Equal((false, "\x10" + "a"), Feed(keys, "a"));
        Assert.Equal((false, "\x10"), Feed(keys, "\x10\x10")); // the second may begin it anew
        Assert.Equal((true, ""), Feed(keys, "\x11"));
    }

    [Fact]
    public void Flush_AtTheEndOfInput_PassesOnWhatWasHeldBack()
    {
        DetachKeys keys = DetachKeys.Parse(null);
        Feed(keys, "\x10");
        var forward = new List<byte>();

        keys.Flush(forward);

        Assert.Equal([0x10], forward);
    }

    [Theory]
    [InlineData("ctrl-x,x", new byte[] { 0x18, (byte)'x' })]
    [InlineData("ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_", new byte[] { 0, 27, 28, 29, 30, 31 })]
    [InlineData("ctrl-A, ctrl-z", new byte[] { 1, 26 })]
    [InlineData("a", new byte[] { (byte)'a' })]
    public void Parse_DockersFormat_GivesTheKeys(string text, byte[] expected)
    {
        DetachKeys keys = DetachKeys.Parse(text);
        var forward = new List<byte>();

        Assert.True(keys.Feed(expected, forward));
        Assert.Empty(forward);
    }

    [Theory]
    [InlineData("ctrl-")]
    [InlineData("ctrl-1")]
    [InlineData("ab")]
    [InlineData("ctrl-p,,ctrl-q")]
    public void Parse_NotAKey_IsRefused(string text)
    {
        var e = Assert.Throws<MiniRunException>(() => DetachKeys.Parse(text));
        Assert.Contains("invalid detach keys", e.Message);
    }
}
