using System.Text.RegularExpressions;
using MiniRun.Fixtures;
using MiniRun.Tests.Networking;

namespace MiniRun.Tests.Docs;

/// <summary>
/// docs/workshop.md is executable: every command of its console blocks runs, in order, as root against a fresh store
/// with minibox loaded, and must print what the document shows.
/// </summary>
[Collection(Rootless.RootlessCollection.Name)] // level 11 works as the rootless tests' user, in /tmp: one at a time with them
public class WorkshopDocumentTests
{
    private static string DocumentPath => Path.Combine(MiniRunCli.RepositoryRoot, "docs", "workshop.md");

    [Fact]
    public void Workshop_EveryLevel_HasConsoleBlocks()
    {
        string text = File.ReadAllText(DocumentPath);
        for (int level = 1; level <= 12; level++) Assert.Contains($"## Level {level}:", text);
        Assert.True(ConsoleBlock.Parse(text).Count >= 12);
    }

    /// <summary>A command that makes links, addresses, rules or bridge containers runs only in the test's own namespace.</summary>
    [Fact]
    public void Workshop_NetworkChangingCommands_RunOnlyInTheSandbox()
    {
        var changesTheNetwork = new Regex(@"(^|[|;&(]\s*)(iptables|sysctl|ip (-n \S+ )?(link|addr|route|netns))\b|\bnetwork create\b|--network[ =](?!none\b|host\b)|minirun (run|create)\b[^|;&]*\s(-p|-P|--publish)[\s=]");
        foreach (ConsoleBlock block in ConsoleBlock.Parse(File.ReadAllText(DocumentPath)).Where(b => !b.InNetworkSandbox))
            foreach (ConsoleCommand command in block.Commands)
                Assert.False(changesTheNetwork.IsMatch(command.Command), $"docs/workshop.md line {command.Line} belongs in a ```console netns block: {command.Command}");
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

    [Fact]
    public void ConsoleBlock_HereDocument_IsInputOfItsCommandNotOutput()
    {
        ConsoleBlock block = ConsoleBlock.Parse("```console\n$ cat > x.sh <<'EOF'\necho one\n$ not a command\nEOF\n$ sh x.sh\none\n```\n").Single();

        Assert.Equal(["cat > x.sh <<'EOF'\necho one\n$ not a command\nEOF", "sh x.sh"], block.Commands.Select(c => c.Command));
        Assert.Empty(block.Commands[0].Expected);
        Assert.Equal(["one"], block.Commands[1].Expected);
        Assert.Throws<FormatException>(() => ConsoleBlock.Parse("```console\n$ cat <<EOF\nno end\n```\n"));
    }

    [Fact]
    public void ConsoleBlock_BtrfsFence_MarksTheBlockAsNeedingBtrfs()
    {
        List<ConsoleBlock> blocks = ConsoleBlock.Parse("```console btrfs\n$ btrfs filesystem du -s .\n```\n```console\n$ true\n```\n");

        Assert.Equal([true, false], blocks.Select(b => b.NeedsBtrfs));
        Assert.False(blocks[0].InNetworkSandbox);
    }

    [RootFact]
    public void Workshop_EveryCommand_PrintsWhatTheDocumentShows()
    {
        using var scratch = new TempDirectory("minirun-workshop");
        string store = scratch.Combine("store");
        var cli = new MiniRunCli(store);
        NetworkSandbox? sandbox = null;
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

            // The btrfs blocks (level 12) need minirun's btrfs driver: a binary without it (one that calls btrfs an unknown
            // storage driver) skips them, any other answer (a store not on btrfs) means the driver is there and they run.
            ExternalCommand.Result probe = ExternalCommand.Run(MiniRunCli.BinaryPath,
                ["--root", scratch.Combine("btrfs-probe"), "--storage-driver", "btrfs", "info"], TimeSpan.FromSeconds(30));
            bool btrfsDriver = !probe.ToString().Contains("unknown storage driver \"btrfs\"", StringComparison.Ordinal);

            // The netns blocks: minirun's default bridge (MINIRUN_NETWORK empty) in a network namespace of the test's own.
            var sandboxed = new Dictionary<string, string>(environment) { ["MINIRUN_NETWORK"] = "" };
            foreach (ConsoleBlock block in ConsoleBlock.Parse(File.ReadAllText(DocumentPath)))
            {
                if (block.NeedsBtrfs && !btrfsDriver) continue;
                if (block.InNetworkSandbox) sandbox ??= new NetworkSandbox();
                IReadOnlyList<string> outputs = block.InNetworkSandbox
                    ? RunBlock(block, scratch.Combine("work"), sandboxed, ["nsenter", "-t", sandbox!.Pid.ToString(), "-n", "-m"])
                    : RunBlock(block, scratch.Combine("work"), environment, []);
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
            // A container of a netns block is removed where its mounts and CNI state are: in the sandbox, before it goes.
            foreach (string id in cli.Run("ps", "-aq").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                string mode = cli.Run("inspect", "-f", "{{.HostConfig.NetworkMode}}", id).Stdout.Trim();
                if (sandbox is not null && mode is not ("host" or "none"))
                    NetworkSandbox.Run("nsenter", "-t", sandbox.Pid.ToString(), "-n", "-m", MiniRunCli.BinaryPath, "--root", store, "rm", "-f", id);
                else cli.Run("rm", "-f", id);
            }
            sandbox?.Dispose();
        }
    }

    /// <summary>
    /// Runs the block's commands in one bash (behind <paramref name="enter"/>: nsenter into the sandbox), separated by
    /// markers, and returns each one's stdout+stderr.
    /// </summary>
    private static IReadOnlyList<string> RunBlock(ConsoleBlock block, string workDir, Dictionary<string, string> environment, string[] enter)
    {
        const string Marker = "@@workshop-command@@";
        var script = new System.Text.StringBuilder($"cd {workDir}\nexec 2>&1\n");
        foreach (ConsoleCommand command in block.Commands) script.Append($"echo {Marker}\n{command.Command}\n");
        script.Append($"echo {Marker}\n");
        string[] bash = ["bash", "-c", script.ToString()];
        ExternalCommand.Result result = enter.Length == 0
            ? ExternalCommand.Run(bash[0], bash[1..], TimeSpan.FromMinutes(3), environment)
            : ExternalCommand.Run(enter[0], [.. enter[1..], .. bash], TimeSpan.FromMinutes(3), environment);
        string[] parts = result.Stdout.Split(Marker + "\n");
        Assert.True(parts.Length == block.Commands.Count + 2, $"block at line {block.Line} did not run to its end:\n{result}");
        return parts[1..^1];
    }
}
