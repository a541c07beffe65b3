using MiniRun.Fixtures;

namespace MiniRun.Tests.Docs;

/// <summary>
/// docs/workshop.md is executable: every command of its console blocks runs, in order, as root against a fresh store
/// with minibox loaded, and must print what the document shows.
/// </summary>
public class WorkshopDocumentTests
{
    private static string DocumentPath => Path.Combine(MiniRunCli.RepositoryRoot, "docs", "workshop.md");

    [Fact]
    public void Workshop_EveryLevel_HasConsoleBlocks()
    {
        string text = File.ReadAllText(DocumentPath);
        for (int level = 1; level <= 7; level++) Assert.Contains($"## Level {level}:", text);
        Assert.True(ConsoleBlock.Parse(text).Count >= 7);
    }

    [Fact]
    public void ConsoleCommand_Placeholders_MatchAsDocumented()
    {
        var command = new ConsoleCommand(1, "x", ["id <ID>", "...", "path <ANY>/end", "last"]);

        Assert.True(command.Matches("id 0123456789ab\nmore\nlines\npath /a/b/end  \nlast\n"));
        Assert.True(command.Matches("id 0123456789ab\npath /end\nlast\n"));
        Assert.False(command.Matches("id 0123\npath /end\nlast\n"));
        Assert.False(command.Matches("id 0123456789ab\npath /end\nlast\nextra\n"));
    }

    [RootFact]
    public void Workshop_EveryCommand_PrintsWhatTheDocumentShows()
    {
        using var scratch = new TempDirectory("minirun-workshop");
        string store = scratch.Combine("store");
        var cli = new MiniRunCli(store);
        try
        {
            string image = scratch.Combine("minibox.tar");
            ExternalCommand.CheckResult(ExternalCommand.Run("bash",
                [Path.Combine(MiniRunCli.RepositoryRoot, "images", "minibox", "build.sh"), image], TimeSpan.FromMinutes(2)));
            MiniRunCli.Result load = cli.Run("load", "-i", image);
            Assert.True(load.ExitCode == 0, load.ToString());
            string bin = scratch.Combine("bin");
            Directory.CreateDirectory(bin);
            File.CreateSymbolicLink(Path.Combine(bin, "minirun"), MiniRunCli.BinaryPath);
            Directory.CreateDirectory(scratch.Combine("work"));
            Directory.CreateDirectory(scratch.Combine("tmp"));
            var environment = new Dictionary<string, string>
            {
                ["MINIRUN_ROOT"] = store,
                ["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH"),
                ["TMPDIR"] = scratch.Combine("tmp"), // mktemp in the document lands here, and goes with the scratch directory
            };

            foreach (ConsoleBlock block in ConsoleBlock.Parse(File.ReadAllText(DocumentPath)))
            {
                IReadOnlyList<string> outputs = RunBlock(block, scratch.Combine("work"), environment);
                for (int i = 0; i < block.Commands.Count; i++)
                {
                    ConsoleCommand command = block.Commands[i];
                    Assert.True(command.Matches(outputs[i]),
                        $"docs/workshop.md line {command.Line}: $ {command.Command}\nexpected:\n{string.Join('\n', command.Expected)}\nactual:\n{outputs[i]}");
                }
            }
        }
        finally
        {
            foreach (string id in cli.Run("ps", "-aq").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)) cli.Run("rm", "-f", id);
        }
    }

    /// <summary>Runs the block's commands in one bash, separated by markers, and returns each one's stdout+stderr.</summary>
    private static IReadOnlyList<string> RunBlock(ConsoleBlock block, string workDir, Dictionary<string, string> environment)
    {
        const string Marker = "@@workshop-command@@";
        var script = new System.Text.StringBuilder($"cd {workDir}\nexec 2>&1\n");
        foreach (ConsoleCommand command in block.Commands) script.Append($"echo {Marker}\n{command.Command}\n");
        script.Append($"echo {Marker}\n");
        ExternalCommand.Result result = ExternalCommand.Run("bash", ["-c", script.ToString()], TimeSpan.FromMinutes(3), environment);
        string[] parts = result.Stdout.Split(Marker + "\n");
        Assert.True(parts.Length == block.Commands.Count + 2, $"block at line {block.Line} did not run to its end:\n{result}");
        return parts[1..^1];
    }
}
