using System.Text;
using System.Text.RegularExpressions;

namespace MiniRun.Tests.Docs;

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
