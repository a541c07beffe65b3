using System.Text.RegularExpressions;

namespace MiniRun.Tests.Docs;

/// <summary>
/// One ```console block of a document: "$ command" lines, each followed by its expected output. The matching rule
/// (stated in docs/workshop.md): lines compared one by one, trailing spaces ignored; &lt;ID&gt; is 12 to 64 hex digits,
/// &lt;ANY&gt; any text within a line, a line "..." any number of lines. A ```console netns block changes links, addresses
/// or iptables rules: it runs in a network namespace of the test's own, never on the machine's network. A ```console btrfs
/// block needs minirun's btrfs storage driver (it makes its own loop-mounted btrfs). A command whose
/// line ends in a here-document (&lt;&lt;'EOF') takes the lines up to its delimiter with it: they are input, not output.
/// </summary>
public sealed record ConsoleBlock(int Line, IReadOnlyList<ConsoleCommand> Commands, bool InNetworkSandbox, bool NeedsBtrfs = false)
{
    private const string Fence = "```console", SandboxFence = "```console netns", BtrfsFence = "```console btrfs";
    private static readonly Regex HereDocument = new(@"<<-?\s*'?(\w+)'?\s*$");

    public static List<ConsoleBlock> Parse(string markdown)
    {
        var blocks = new List<ConsoleBlock>();
        string[] lines = markdown.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string fence = lines[i].TrimEnd();
            if (fence is not (Fence or SandboxFence or BtrfsFence)) continue;
            int start = i + 1;
            var commands = new List<ConsoleCommand>();
            for (i++; i < lines.Length && lines[i].TrimEnd() != "```"; i++)
            {
                if (lines[i].StartsWith("$ ", StringComparison.Ordinal))
                {
                    int line = i + 1;
                    string command = lines[i][2..].TrimEnd();
                    if (HereDocument.Match(command) is { Success: true } here)
                    {
                        string delimiter = here.Groups[1].Value;
                        do
                        {
                            if (++i == lines.Length) throw new FormatException($"line {line}: no {delimiter} ends its here-document");
                            command += "\n" + lines[i].TrimEnd();
                        } while (lines[i].TrimEnd() != delimiter);
                    }
                    commands.Add(new ConsoleCommand(line, command, new List<string>()));
                }
                else if (commands.Count > 0) ((List<string>)commands[^1].Expected).Add(lines[i].TrimEnd());
                else throw new FormatException($"line {i + 1}: output before any command");
            }
            blocks.Add(new ConsoleBlock(start, commands, fence == SandboxFence, fence == BtrfsFence));
        }
        return blocks;
    }
}
