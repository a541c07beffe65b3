using System.Diagnostics;
using System.Text.Json;

namespace MiniRun.Tests.Containers;

/// <summary>`minirun run` end to end: the real binary, the real kernel, an image loaded from a docker-save tar.</summary>
public class RunTests(RunImageFixture fixture) : IClassFixture<RunImageFixture>
{
    private MiniRunCli Cli => fixture.Cli;
    private string Store => Cli.StoreRoot;

    private MiniRunCli.Result Run(params string[] args)
    {
        MiniRunCli.Result result = Cli.Run(["run", "--rm", .. args]);
        return result;
    }

    [RootFact]
    public void Run_NoCommand_RunsImageCmdInImageWorkingDir()
    {
        var result = Run(fixture.Image);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("from-image\n", result.Stdout);
    }

    [RootFact]
    public void Run_ImageConfig_GivesEnvAndWorkingDir()
    {
        var result = Run(fixture.Image, "sh", "-c", "echo $FOO; pwd; echo $HOME; echo $PATH");

        Assert.Equal("from-image\n/srv\n/root\n/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n", result.Stdout);
    }

    [RootFact]
    public void Run_EnvAndWorkdirFlags_OverrideTheImage()
    {
        var result = Run("-e", "FOO=from-cli", "-e", "BAR=2", "-w", "/tmp/new", fixture.Image, "sh", "-c", "echo $FOO $BAR; pwd");

        Assert.Equal("from-cli 2\n/tmp/new\n", result.Stdout);
    }

    [RootFact]
    public void Run_Hostname_IsTheContainersOwn()
    {
        var result = Run("--hostname", "box", fixture.Image, "sh", "-c", "hostname; cat /etc/hostname; echo $HOSTNAME");

        Assert.Equal("box\nbox\nbox\n", result.Stdout);
    }

    [RootFact]
    public void Run_DefaultHostname_IsTheShortContainerId()
    {
        var result = Run(fixture.Image, "hostname");

        Assert.Matches("^[0-9a-f]{12}\n$", result.Stdout);
    }

    [RootFact]
    public void Run_Command_IsPid1InItsOwnPidNamespace()
    {
        var result = Run(fixture.Image, "sh", "-c", "echo $$; echo /proc/[0-9]*");

        Assert.Equal("1\n/proc/1\n", result.Stdout); // the shell's glob sees only itself: no host process is visible
    }

    [RootTheory]
    [InlineData("exit 7", 7)]
    [InlineData("exit 0", 0)]
    [InlineData("exit 255", 255)]
    public void Run_ExitStatus_IsTheCommands(string script, int expected)
    {
        Assert.Equal(expected, Run(fixture.Image, "sh", "-c", script).ExitCode);
    }

    [RootFact]
    public void Run_CommandNotFound_Exits127WithOneLine()
    {
        var result = Run(fixture.Image, "no-such-command");

        Assert.Equal(127, result.ExitCode);
        Assert.Equal("minirun: exec: \"no-such-command\": executable file not found in $PATH\n", result.Stderr);
    }

    [RootFact]
    public void Run_CommandNotExecutable_Exits126()
    {
        Assert.Equal(126, Run(fixture.Image, "/srv/marker").ExitCode);
    }

    [RootFact]
    public void Run_UnknownImage_Exits125WithOneLine()
    {
        // --pull never: by default a missing image is pulled (from Docker Hub for this name), and tests stay on 127.0.0.1.
        var result = Run("--pull", "never", "no-such-image", "true");

        Assert.Equal(125, result.ExitCode);
        Assert.Equal("minirun: No such image: no-such-image\n", result.Stderr);
    }

    [RootFact]
    public void Run_UnknownFlag_Exits125()
    {
        Assert.Equal(125, Run("--no-such-flag", fixture.Image).ExitCode);
    }

    [RootFact]
    public void Run_PivotRoot_LeavesNoHostMountVisible()
    {
        var result = Run(fixture.Image, "sh", "-c", "cut -d' ' -f2,3 /proc/mounts");

        // Then only Docker's masks (a tmpfs, or the container's /dev/null from its /dev tmpfs) and read-only binds of /proc.
        string hardening = string.Concat(
            MiniRun.Sandbox.ContainerMounts.MaskedPaths.Where(p => File.Exists(p) || Directory.Exists(p)).Select(p => $"{p} tmpfs\n")
                .Concat(MiniRun.Sandbox.ContainerMounts.ReadOnlyPaths.Where(p => File.Exists(p) || Directory.Exists(p)).Select(p => $"{p} proc\n")));
        // Last, /sys/fs/cgroup as the host has it (a tmpfs of v1 hierarchies, or one cgroup2), each the container's own group.
        string cgroups = string.Concat(File.ReadAllLines("/proc/self/mounts").Select(l => l.Split(' '))
            .Where(f => f[1] == "/sys/fs/cgroup" || f[1].StartsWith("/sys/fs/cgroup/", StringComparison.Ordinal))
            .Select(f => $"{f[1]} {f[2]}\n"));
        Assert.Equal("/ overlay\n/proc proc\n/dev tmpfs\n/dev/pts devpts\n/dev/shm tmpfs\n/dev/mqueue mqueue\n/sys sysfs\n" + hardening + cgroups,
            result.Stdout);
    }

    [RootFact]
    public void Run_Chroot_EntersTheSameTree()
    {
        var result = Run("--chroot", fixture.Image, "sh", "-c", "cat /srv/marker; echo $$; ls /dev/null");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("from-image\n1\n/dev/null\n", result.Stdout);
    }

    [RootFact]
    public void Run_ExtraLayer_SitsAboveTheImage()
    {
        using var layer = new TempDirectory("minirun-layer");
        Directory.CreateDirectory(layer.Combine("srv"));
        File.WriteAllText(layer.Combine("srv", "marker"), "from-layer\n");
        File.WriteAllText(layer.Combine("extra"), "extra\n");

        var result = Run("--layer", layer.Path, fixture.Image, "sh", "-c", "cat /srv/marker /extra; echo changed > /extra");

        Assert.Equal("from-layer\nextra\n", result.Stdout);
        Assert.Equal("extra\n", File.ReadAllText(layer.Combine("extra"))); // a lower layer is never written
    }

    [RootFact]
    public void Run_ExtraLayerIsAFile_SaysItTakesADirectory()
    {
        using var dir = new TempDirectory("minirun-layer");
        string file = dir.Combine("layer.tar");
        File.WriteAllText(file, "not a directory\n");

        var result = Run("--layer", file, fixture.Image, "true");

        Assert.Equal(125, result.ExitCode);
        Assert.Equal($"minirun: --layer {file} is a file: --layer takes a directory to stack above the image's layers\n", result.Stderr);
    }

    [RootFact]
    public void Run_NetworkNone_HasOnlyLoopbackUp()
    {
        var result = Run("--network", "none", fixture.Image, "sh", "-c", "ls /sys/class/net; cat /sys/class/net/lo/operstate");

        Assert.Equal("lo\nunknown\n", result.Stdout);
    }

    [RootFact]
    public void Run_User_RunsAsThatUser()
    {
        var result = Run("-u", "user", fixture.Image, "sh", "-c", "id -u; id -g; echo $HOME");

        Assert.Equal("1000\n1000\n/home/user\n", result.Stdout);
    }

    [RootFact]
    public void Run_Rm_LeavesNoMountNoContainerNoTemp()
    {
        var result = Run(fixture.Image, "sh", "-c", "echo data > /new-file");

        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain(Store, File.ReadAllText("/proc/self/mounts"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(Store, "tmp")));
        Assert.DoesNotContain(Directory.EnumerateDirectories(Path.Combine(Store, "containers")),
            dir => File.Exists(Path.Combine(dir, "diff", "new-file")));
    }

    [RootFact]
    public void Run_WithoutRm_KeepsTheStoppedContainerAndItsUpperDir()
    {
        string name = "keep-" + Guid.NewGuid().ToString("N")[..8];
        var result = Cli.Run("run", "--name", name, fixture.Image, "sh", "-c", "echo data > /new-file; rm /srv/marker; exit 3");
        Assert.Equal(3, result.ExitCode);
        try
        {
            Assert.Matches($"Exited \\(3\\) .* {name}\n", Cli.Run("ps", "-a").Stdout);
            using JsonDocument inspect = JsonDocument.Parse(Cli.Run("inspect", name).Stdout);
            JsonElement container = inspect.RootElement[0];
            Assert.Equal(3, container.GetProperty("State").GetProperty("ExitCode").GetInt32());
            JsonElement data = container.GetProperty("GraphDriver").GetProperty("Data");
            string upper = data.GetProperty("UpperDir").GetString()!;
            Assert.Equal("data\n", File.ReadAllText(Path.Combine(upper, "new-file")));
            var whiteout = MiniRun.Native.Syscalls.LStat(Path.Combine(upper, "srv", "marker"));
            Assert.True(whiteout.IsWhiteout, "a deleted lower file is a 0/0 character device in the upper dir");
            Assert.All(data.GetProperty("LowerDir").GetString()!.Split(':'), dir => Assert.True(Directory.Exists(dir), dir));
            Assert.False(MiniRun.Containers.OverlayMount.IsMounted(data.GetProperty("MergedDir").GetString()!));
        }
        finally
        {
            Assert.Equal(0, Cli.Run("rm", name).ExitCode);
        }
        Assert.DoesNotContain(name, Cli.Run("ps", "-a").Stdout);
    }

    [RootFact]
    public void Run_WhileRunning_OverlayMountIsVisibleOnTheHost()
    {
        using Process process = StartRun(["--rm", "-i", fixture.Image, "sh", "-c", "echo ready; read line; echo got $line"]);
        try
        {
            Assert.Equal("ready", process.StandardOutput.ReadLine());
            string overlay = File.ReadAllLines("/proc/self/mounts").Single(l => l.StartsWith("overlay ", StringComparison.Ordinal) && l.Contains(Store));
            Assert.Matches(@"lowerdir=containers/[0-9a-f]{64}/init:l/[A-Z0-9]{26}:l/[A-Z0-9]{26},upperdir=containers/[0-9a-f]{64}/diff,workdir=containers/[0-9a-f]{64}/work", overlay);
            process.StandardInput.WriteLine("bye");
            process.StandardInput.Close();
            Assert.Equal("got bye", process.StandardOutput.ReadLine());
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)));
            Assert.Equal(0, process.ExitCode);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        Assert.DoesNotContain(Store, File.ReadAllText("/proc/self/mounts"));
    }

    [RootFact]
    public void Run_DescriptorsMiniRunInherited_DoNotReachTheCommand()
    {
        // bash hands minirun an extra open descriptor (7), as a careless caller would.
        var psi = new ProcessStartInfo("bash", ["-c", "exec 7</dev/null; exec \"$0\" --root \"$1\" run --rm \"$2\" sh -c 'ls /proc/$$/fd; true'",
            MiniRunCli.BinaryPath, Store, fixture.Image]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using Process process = Process.Start(psi)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();

        Assert.Equal("0\n1\n2\n", output);
    }

    [RootFact]
    public void Run_Pid1KilledFromTheHost_Exits128PlusSignal()
    {
        string name = "killed-" + Guid.NewGuid().ToString("N")[..8];
        using Process process = StartRun(["-i", "--name", name, fixture.Image, "sh", "-c", "echo ready; read line"]);
        try
        {
            Assert.Equal("ready", process.StandardOutput.ReadLine());
            using JsonDocument inspect = JsonDocument.Parse(Cli.Run("inspect", name).Stdout);
            int pid = inspect.RootElement[0].GetProperty("State").GetProperty("Pid").GetInt32();
            Assert.True(pid > 1);
            Assert.True(MiniRun.Native.Syscalls.Kill(pid, MiniRun.Native.Signal.Kill));
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)));
            Assert.Equal(137, process.ExitCode); // as Docker reports a SIGKILL (the OOM killer's signal)
            Assert.Matches($"Exited \\(137\\) .* {name}\n", Cli.Run("ps", "-a").Stdout);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            Cli.Run("rm", name);
        }
    }

    private Process StartRun(string[] args)
    {
        var psi = new ProcessStartInfo(MiniRunCli.BinaryPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string arg in new[] { "--root", Store, "run" }.Concat(args)) psi.ArgumentList.Add(arg);
        return Process.Start(psi)!;
    }

    [RootFact]
    public void Rmi_ImageUsedByAContainer_IsRefused()
    {
        string name = "user-" + Guid.NewGuid().ToString("N")[..8];
        Assert.Equal(0, Cli.Run("run", "--name", name, fixture.Image, "true").ExitCode);
        try
        {
            var refused = Cli.Run("rmi", fixture.Image);
            Assert.NotEqual(0, refused.ExitCode);
            Assert.Contains("is using it", refused.Stderr);
            Assert.Contains("runtest", Cli.Run("images").Stdout);
        }
        finally
        {
            Cli.Run("rm", name);
        }
    }
}
