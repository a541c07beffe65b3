using System.Text;
using System.Text.RegularExpressions;

namespace MiniRun.Tests.Docs;

/// <summary>
/// One ```console block of a document: "$ command" lines, each followed by its expected output. The matching rule
/// (stated in docs/workshop.md): lines compared one by one, trailing spaces ignored; &lt;ID&gt; is 12 to 64 hex digits,
/// &lt;ANY&gt; any text within a line, a line "..." any number of lines.
/// </summary>
public sealed record ConsoleBlock(int Line, IReadOnlyList<ConsoleCommand> Commands)
{
    public static List<ConsoleBlock> Parse(string markdown)
    {
        var blocks = new List<ConsoleBlock>();
        string[] lines = markdown.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].TrimEnd() != "```console") continue;
            int start = i + 1;
            var commands = new List<ConsoleCommand>();
            for (i++; i < lines.Length && lines[i].TrimEnd() != "```"; i++)
            {
                if (lines[i].StartsWith("$ ", StringComparison.Ordinal)) commands.Add(new ConsoleCommand(i + 1, lines[i][2..], new List<string>()));
                else if (commands.Count > 0) ((List<string>)commands[^1].Expected).Add(lines[i].TrimEnd());
                else throw new FormatException($"line {i + 1}: output before any command");
            }
            blocks.Add(new ConsoleBlock(start, commands));
        }
        return blocks;
    }
}

/// <summary>A command of a console block, its line in the document and the output lines shown for it.</summary>
public sealed record ConsoleCommand(int Line, string Command, IReadOnlyList<string> Expected)
{
    public bool Matches(string output)
    {
        var pattern = new StringBuilder("^");
        foreach (string line in Expected)
        {
            if (line == "...") pattern.Append(@"(?:[^\n]*\n)*?");
            else pattern.Append(Regex.Escape(line).Replace("<ID>", "[0-9a-f]{12,64}").Replace("<ANY>", "[^\\n]*")).Append(@"\n");
        }
        pattern.Append('$');
        string normalized = string.Concat(output.Split('\n').SkipLast(output.EndsWith('\n') ? 1 : 0).Select(l => l.TrimEnd() + "\n"));
        if (output.Length == 0) normalized = "";
        return Regex.IsMatch(normalized, pattern.ToString());
    }
}
