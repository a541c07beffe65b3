using MiniRun.Fixtures;

namespace MiniRun.Tests.Parity;

/// <summary>
/// stdin and attach against the real Docker engine: the same shell lines, once with `docker` and once with `minirun`,
/// give the same output and exit status (-i or /dev/null, start -a, start -ai, the refusals of attach).
/// </summary>
public sealed class AttachParityTests(ParityImage image) : IClassFixture<ParityImage>
{
    /// <summary>`sh -c SCRIPT` with "$@" the engine's command line and $N a container name of this run's own.</summary>
    private static ExternalCommand.Result Shell(string script, string name, string[] engine) =>
        ExternalCommand.Run("sh", ["-c", $"N={name}; {script}", "sh", .. engine], TimeSpan.FromMinutes(2));

    // Not here: `echo hello | attach` to a `run -di` container that answers and exits at once. Docker's attach often loses
    // that answer (its stream closes before the output reaches it); minirun shows it (AttachTests).
    public static TheoryData<string, string> Scenarios() => new()
    {
        { "stdin-without-i", "echo hi | \"$@\" run --rm --network none IMAGE sh -c 'cat; read x; echo read=$?'" },
        { "stdin-with-i", "echo hi | \"$@\" run --rm -i --network none IMAGE cat" },
        { "start-a", "\"$@\" create --name $N --network none IMAGE sh -c 'echo out; echo err >&2; exit 3' >/dev/null; \"$@\" start -a $N" },
        { "start-ai", "\"$@\" create -i --name $N --network none IMAGE sh -c 'cat; echo ended' >/dev/null; printf 'a\\nb\\n' | \"$@\" start -ai $N" },
        { "attach-stopped", "\"$@\" create --name $N --network none IMAGE true >/dev/null; \"$@\" attach $N" },
        { "attach-tty-from-a-pipe", "\"$@\" run -dit --name $N --network none IMAGE sh >/dev/null; echo | \"$@\" attach $N" },
    };

    [DockerTheory]
    [MemberData(nameof(Scenarios))]
    public void Scenario_SameOutputAndStatusAsDocker(string scenario, string script)
    {
        using var store = new TempDirectory("minirun-attach-parity");
        var cli = new MiniRunCli(store.Path);
        MiniRunCli.Result load = cli.Run("load", "-i", image.Archive(ParityFormat.DockerSave), "--tag", image.Name);
        Assert.True(load.ExitCode == 0, load.ToString());
        string name = $"minirun-attach-{scenario}-{Guid.NewGuid():N}"[..40];
        string text = script.Replace("IMAGE", image.Name, StringComparison.Ordinal);
        try
        {
            ExternalCommand.Result docker = Shell(text, name, ["docker"]);
            ExternalCommand.Result minirun = Shell(text, name, [MiniRunCli.BinaryPath, "--root", store.Path]);

            Assert.True(docker.ExitCode == minirun.ExitCode, $"docker: {docker}\nminirun: {minirun}");
            Assert.Equal(docker.Stdout, minirun.Stdout);
            // The refusals: Docker's words, after minirun's prefix.
            foreach (string words in new[] { "You cannot attach to a stopped container, start it first", "the input device is not a TTY" })
                Assert.Equal(docker.Stderr.Contains(words, StringComparison.Ordinal), minirun.Stderr.Contains(words, StringComparison.Ordinal));
        }
        finally
        {
            DockerEngine.TryDocker("rm", "-f", name);
            cli.Run("rm", "-f", name);
        }
    }
}
