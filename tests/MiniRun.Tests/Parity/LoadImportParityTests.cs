using MiniRun.Fixtures;

namespace MiniRun.Tests.Parity;

/// <summary>load and import refuse what docker's refuse, with docker's exit status, and say it in one line.</summary>
public sealed class LoadImportParityTests : IDisposable
{
    private readonly TempDirectory _temp = new("minirun-load-parity");
    private readonly MiniRunCli _cli;

    public LoadImportParityTests() => _cli = new MiniRunCli(_temp.Combine("store"));

    public void Dispose() => _temp.Dispose();

    /// <summary>Shell lines with IN (a file or directory made by the test) and CMD (docker or minirun) to fill in.</summary>
    public static TheoryData<string, string> Refusals() => new()
    {
        { "empty", "CMD load < IN" },
        { "random", "CMD load < IN" },
        { "random", "CMD load -i IN" },
        { "missing", "CMD load -i IN" },
        { "random", "CMD import - refused-parity:1 < IN" },
        { "random", "CMD import IN refused-parity:1" },
        { "directory", "CMD import IN refused-parity:1" },
        { "missing", "CMD import IN refused-parity:1" },
    };

    [DockerTheory]
    [MemberData(nameof(Refusals))]
    public void LoadImport_RefusedInput_ExitsAsDockerWithOneLine(string input, string line)
    {
        string path = Input(input);

        ExternalCommand.Result docker;
        try { docker = Shell(line.Replace("CMD", "docker").Replace("IN", path)); }
        finally { DockerEngine.TryDocker("rmi", "refused-parity:1"); } // should docker ever take it
        ExternalCommand.Result minirun = Shell(line.Replace("CMD", $"{MiniRunCli.BinaryPath} --root {_cli.StoreRoot}").Replace("IN", path));

        Assert.NotEqual(0, docker.ExitCode);
        Assert.True(docker.ExitCode == minirun.ExitCode, $"docker: {docker}\nminirun: {minirun}");
        Assert.Matches("^minirun: [^\n]+\n$", minirun.Stderr);
        Assert.Equal("", minirun.Stdout);
        Assert.Equal("", _cli.RunOk("images", "-q").Stdout);
    }

    private string Input(string kind)
    {
        string path = _temp.Combine(kind);
        switch (kind)
        {
            case "empty":
                File.WriteAllBytes(path, []);
                break;
            case "random":
                var bytes = new byte[16 * 1024];
                new Random(18).NextBytes(bytes);
                bytes[0] = 0x42; // no compression magic number
                File.WriteAllBytes(path, bytes);
                break;
            case "directory":
                Directory.CreateDirectory(path);
                break;
        }
        return path;
    }

    private static ExternalCommand.Result Shell(string line) => ExternalCommand.Run("bash", ["-c", line], TimeSpan.FromMinutes(2));
}
