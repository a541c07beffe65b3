using MiniRun.Cli.CommandLine;
using MiniRun.Cli.Verbs;

namespace MiniRun.Tests.Cli;

public class ArgumentParserTests
{
    private static readonly IReadOnlyList<OptionSpec> RunOptions = new RunVerb().Options;

    private static ParsedArguments ParseRun(params string[] args) => ArgumentParser.Parse("run", args, RunOptions, stopAtFirstPositional: true);

    [Fact]
    public void Parse_TokensAfterImage_BelongToTheCommand()
    {
        var parsed = ParseRun("--rm", "-e", "A=1", "img", "sh", "-c", "echo hi", "--rm");

        Assert.True(parsed.Has("rm"));
        Assert.Equal(["img", "sh", "-c", "echo hi", "--rm"], parsed.Positionals);
    }

    [Fact]
    public void Parse_RepeatedAndInlineValues_AreAllKept()
    {
        var parsed = ParseRun("-e", "A=1", "-eB=2", "--env=C=3", "--env", "D=4", "img");

        Assert.Equal(["A=1", "B=2", "C=3", "D=4"], parsed.GetAll("env"));
    }

    [Fact]
    public void Parse_GroupedShortFlags_AreSplit()
    {
        var parsed = ParseRun("-it", "-w/tmp", "img");

        Assert.True(parsed.Has("interactive"));
        Assert.True(parsed.Has("tty"));
        Assert.Equal("/tmp", parsed.Get("workdir"));
    }

    [Fact]
    public void Parse_UnknownFlag_IsAUsageError()
    {
        var error = Assert.Throws<UsageException>(() => ParseRun("--bogus", "img"));
        Assert.Contains("--bogus", error.Message);
    }

    [Fact]
    public void Parse_MissingValue_IsAUsageError()
    {
        Assert.Throws<UsageException>(() => ParseRun("--name"));
    }
}
