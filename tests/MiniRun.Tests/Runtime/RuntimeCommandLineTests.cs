using MiniRun.Fixtures;
using MiniRun.Runtime.Spec;

namespace MiniRun.Tests.Runtime;

/// <summary>`minirun runtime` and the minirun-runtime link: runc's command line, as engines call it (issue 16's start).</summary>
public sealed class RuntimeCommandLineTests : IDisposable
{
    private readonly TempDirectory _temp = new("minirun-runtime");

    public void Dispose() => _temp.Dispose();

    private static ExternalCommand.Result Runtime(string binary, params string[] args) => ExternalCommand.Run(binary, args, TimeSpan.FromSeconds(30));

    [Fact]
    public void Spec_Bundle_WritesAConfigJsonThatReadsBack_AndRefusesToReplaceIt()
    {
        string bundle = _temp.Combine("bundle");
        Directory.CreateDirectory(bundle);

        ExternalCommand.Result written = Runtime(MiniRunCli.BinaryPath, "runtime", "spec", "--bundle", bundle);
        ExternalCommand.Result again = Runtime(MiniRunCli.BinaryPath, "runtime", "spec", "--bundle", bundle);

        Assert.True(written.ExitCode == 0, written.Stderr);
        OciSpec spec = OciSpecJson.Read(bundle);
        Assert.Equal(["sh"], spec.Process!.Args);
        Assert.Equal("rootfs", spec.Root!.Path);
        Assert.NotNull(spec.Linux!.Seccomp); // Docker's default profile, as Docker's own config.json has it
        Assert.Contains(spec.Linux.Namespaces!, n => n.Type == "pid");
        Assert.Equal(1, again.ExitCode); // runc's status for a refused command
        Assert.Equal($"minirun: runtime: spec: {Path.Combine(bundle, "config.json")} exists: remove it first\n", again.Stderr);
    }

    [Fact]
    public void Link_NamedMinirunRuntime_TakesRuncsArgv()
    {
        string link = _temp.Combine(MiniRun.Cli.Runtime.RuntimeCommandLine.LinkName);
        File.CreateSymbolicLink(link, MiniRunCli.BinaryPath);

        ExternalCommand.Result version = Runtime(link, "--version");
        ExternalCommand.Result systemd = Runtime(link, "--root", _temp.Combine("state"), "--systemd-cgroup", "create", "--bundle", _temp.Path, "x");

        Assert.Equal("minirun-runtime version 0.1.0\nspec: 1.0.2-dev\n", version.Stdout);
        Assert.Equal(1, systemd.ExitCode);
        Assert.StartsWith("minirun: runtime: --systemd-cgroup: MiniRun manages cgroups through cgroupfs only", systemd.Stderr);
    }
}
