using System.Text.RegularExpressions;
using MiniRun.Cli;
using MiniRun.Cli.CommandLine;
using MiniRun.Cli.Help;
using MiniRun.Cli.Verbs;

namespace MiniRun.Tests.Cli;

/// <summary>`minirun --help`, `minirun VERB --help`, `minirun help VERB`: Docker's layout, generated from the verb list.</summary>
public sealed partial class HelpTests : IDisposable
{
    private readonly TempDirectory _temp = new("minirun-help");
    private readonly MiniRunCli _cli;

    public HelpTests() => _cli = new MiniRunCli(_temp.Combine("store"));

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void RunHelp_DockerLayout_UsageDescriptionOptionsThenExamples()
    {
        string help = _cli.RunOk("run", "--help").Stdout;

        Assert.StartsWith("Usage:  minirun run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nCreate and run a new container from an image\n\nOptions:\n", help);
        int examples = help.IndexOf("\nExamples:\n  # ", StringComparison.Ordinal);
        Assert.True(examples > help.IndexOf("\nOptions:\n", StringComparison.Ordinal), help);
        Assert.Contains("\n  minirun run --rm -it minibox sh\n", help);
    }

    [Fact]
    public void RunHelp_LongUsage_NeverRunsIntoItsText()
    {
        string help = _cli.RunOk("run", "--help").Stdout;

        // The line the issue quoted: `--pull missing|always|neverPull the image…`.
        Assert.Matches(@"\n      --pull missing\|always\|never {3,}Pull the image", help);
    }

    [Fact]
    public void VerbHelp_EveryVerb_TextsInOneColumnWithinTheWidth()
    {
        foreach (IVerb verb in Program.Verbs)
        {
            var output = new StringWriter();
            HelpPrinter.PrintVerb(output, verb, width: 80);
            string page = output.ToString();
            string[] lines = page.Split('\n');
            int options = Array.IndexOf(lines, "Options:");
            if (options < 0) continue;
            int column = -1;
            for (int i = options + 1; i < lines.Length && lines[i].Length > 0; i++)
            {
                string line = lines[i];
                Assert.True(line.Length <= 80 || !line.TrimStart().Contains(' '), $"{verb.Name}: over 80 columns: {line}");
                // A row: two spaces, the flag, at least three spaces, the text; a continuation: only spaces, then text;
                // a flag too wide for the column: alone on its line.
                Match row = OptionRow().Match(line);
                if (!row.Success && line.TrimStart().StartsWith('-')) continue;
                int text = row.Success ? row.Groups["text"].Index : line.Length - line.TrimStart().Length;
                if (column < 0) column = text;
                Assert.True(text == column, $"{verb.Name}: text not in column {column}:\n{page}");
            }
        }
    }

    [Fact]
    public void Examples_EveryVerb_ParseWithItsOwnFlags()
    {
        int count = 0;
        foreach (IVerb verb in Program.Verbs)
        {
            foreach (VerbExample example in verb.Examples)
            {
                List<string> words = ShellWords(example.CommandLine);
                int start = words.FindIndex(w => w == "minirun");
                Assert.True(start >= 0 && start + 1 < words.Count && words[start + 1] == verb.Name,
                    $"{verb.Name}'s example runs another verb: {example.CommandLine}");
                ArgumentParser.Parse(verb.Name, words[(start + 2)..], verb.Options, verb.StopAtFirstPositional); // throws on an unknown flag
                Assert.False(string.IsNullOrWhiteSpace(example.Description));
                count++;
            }
        }
        Assert.True(count >= 30, $"only {count} examples");
        foreach (string name in new[] { "run", "ps", "exec", "logs", "images", "pull", "load", "import", "inspect", "cp", "rm", "stop", "volume", "system", "mount" })
            Assert.NotEmpty(Program.Verbs.Single(v => v.Name == name).Examples);
    }

    [Fact]
    public void HelpVerbAndDashH_PrintTheSamePageAsDashDashHelp()
    {
        string page = _cli.RunOk("ps", "--help").Stdout;

        Assert.Equal(page, _cli.RunOk("help", "ps").Stdout);
        Assert.Equal(page, _cli.RunOk("ps", "-h").Stdout);
        Assert.Equal(_cli.RunOk("--help").Stdout, _cli.RunOk("help").Stdout);
    }

    [Fact]
    public void RunDashH_IsTheHostnameFlag_NotHelp()
    {
        MiniRunCli.Result result = _cli.Run("run", "-h");

        Assert.Equal(125, result.ExitCode);
        Assert.Equal("minirun: flag needs an argument: -h (see 'minirun run --help')\n", result.Stderr);
        Assert.DoesNotContain("Usage:", result.Stdout);
    }

    [Fact]
    public void HelpVerb_UnknownCommand_IsAUsageError()
    {
        MiniRunCli.Result result = _cli.Run("help", "nosuch");

        Assert.Equal(125, result.ExitCode);
        Assert.Equal("minirun: unknown help topic: nosuch (see 'minirun --help')\n", result.Stderr);
    }

    [Fact]
    public void MainHelp_EveryVerbOnce_UnderDockersHeadings()
    {
        string help = _cli.RunOk("--help").Stdout;

        Assert.StartsWith("Usage:  minirun [OPTIONS] COMMAND\n", help);
        string[] headings = ["Common Commands:", "Management Commands:", "Commands:", "MiniRun Commands:", "Global Options:"];
        int[] positions = headings.Select(h => help.IndexOf("\n" + h + "\n", StringComparison.Ordinal)).ToArray();
        Assert.True(positions.All(p => p > 0) && positions.SequenceEqual(positions.Order()), help);
        Assert.Matches(@"\nCommon Commands:\n  run +Create and run", help);
        Assert.Matches(@"\nManagement Commands:\n(  .*\n)*  volume +Manage volumes", help);
        foreach (IVerb verb in Program.Verbs.Where(v => v.Group != VerbGroup.Hidden))
            Assert.Single(Regex.Matches(help, $"\n  {Regex.Escape(verb.Name)} +\\S"));
        // One column for every group's names, as Docker's.
        Assert.Single(Regex.Matches(help, @"\n  ([a-z]+ +)\S").Select(m => m.Groups[1].Length).Distinct());
    }

    [Fact]
    public void TextColumns_CellWiderThanTheColumn_GetsALineOfItsOwn()
    {
        var output = new StringWriter();
        // The column is as wide as the widest cell, up to what leaves 30 columns of text; a wider cell goes alone.
        TextColumns.Write(output, [("-a, --all", "Show all"), (new string('x', 30), "A long text that wraps at the width of fifty columns, under its first line")], width: 50);

        Assert.Equal(
            "  -a, --all" + new string(' ', 9) + "Show all\n" +
            "  " + new string('x', 30) + "\n" +
            "                    A long text that wraps at the\n" +
            "                    width of fifty columns, under\n" +
            "                    its first line\n",
            output.ToString().Replace("\r\n", "\n"));
    }

    [Theory]
    [InlineData("minirun stop [-t SECONDS] CONTAINER [CONTAINER...]", "Container*")]
    [InlineData("minirun run [OPTIONS] IMAGE [COMMAND] [ARG...]", "Image Any*")]
    [InlineData("minirun tag SOURCE_IMAGE TARGET_IMAGE[:TAG]", "Image Image")]
    [InlineData("minirun inspect [-f TEMPLATE] NAME|ID [NAME|ID...]", "ContainerOrImage*")]
    [InlineData("minirun mount IMAGE|CONTAINER", "ContainerOrImage")]
    [InlineData("minirun system df|prune|check [--repair]", "Words(df,prune,check)")]
    [InlineData("minirun generate systemd [OPTIONS] CONTAINER", "Words(systemd) Container")]
    [InlineData("minirun volume create [NAME] | ls [-q] | inspect NAME... | rm [-f] NAME... | prune [-a] [-f]", "Words(create,ls,inspect,rm,prune)")]
    [InlineData("minirun cp [-a] CONTAINER:SRC DEST|-   or   minirun cp [-a] SRC|- CONTAINER:DEST", "Container Any")]
    [InlineData("minirun ps [-a] [-q] [-n N|-l] [-s] [--no-trunc] [--format FORMAT]", "")]
    [InlineData("minirun load [-i PATH] [--tag NAME:TAG]", "")]
    [InlineData("minirun stats [OPTIONS] [CONTAINER...]", "Container*")]
    public void UsageOperands_UsageLine_GivesWhatCompletionOffers(string usage, string expected)
    {
        string operands = string.Join(' ', UsageOperands.Parse(usage).Select(o =>
            (o.Kind == OperandKind.Words ? $"Words({string.Join(',', o.Words)})" : o.Kind.ToString()) + (o.Repeats ? "*" : "")));

        Assert.Equal(expected, operands);
    }

    /// <summary>A command line's words as sh reads them (quotes removed), up to the end of its first command.</summary>
    private static List<string> ShellWords(string line)
    {
        var words = new List<string>();
        var word = new System.Text.StringBuilder();
        bool inWord = false;
        char quote = '\0';
        foreach (char c in line)
        {
            if (quote != '\0')
            {
                if (c == quote) quote = '\0';
                else word.Append(c);
                continue;
            }
            if (c is '\'' or '"') { quote = c; inWord = true; continue; }
            if (c is ' ' or '(' or '<' or '|' or '>' or ';' or ')')
            {
                if (c == '(' && word.ToString() == "$" && words.Contains("minirun")) break; // $(…): a command of its own
                if (inWord) words.Add(word.ToString());
                word.Clear();
                inWord = false;
                if (c is not (' ' or '(' or '<') && words.Contains("minirun")) break; // the minirun command ends here
                continue;
            }
            word.Append(c);
            inWord = true;
        }
        if (inWord) words.Add(word.ToString());
        return words;
    }

    [GeneratedRegex(@"^  (-[a-z], |    )--[a-z-]+( \S+)? {3,}(?<text>\S)")]
    private static partial Regex OptionRow();
}
