using System.Text;
using MiniRun.Native;
using MiniRun.Sandbox;
using MiniRun.Sandbox.Seccomp;

namespace MiniRun.Tests.Sandbox;

public class InitSpecReaderTests
{
    [Fact]
    public void Read_WhatTheParentWrites_GivesTheSameSpec()
    {
        var spec = new InitSpec
        {
            RootFs = "/store/containers/c/merged", UseChroot = true, Hostname = "box", IsolateNetwork = true,
            Namespaces = NamespaceFlags.Mount | NamespaceFlags.Uts | NamespaceFlags.Ipc | NamespaceFlags.Network,
            CgroupJoinFiles = ["/sys/fs/cgroup/pids/minirun/c/tasks"],
            Mounts = [new MountRecord("proc", "proc", "/m/proc", MountFlags.NoSuid | MountFlags.NoExec), new MountRecord("tmpfs", "tmpfs", "/m/dev", MountFlags.None, "mode=755,size=65536k")],
            Devices = [new DeviceNode("dev/null", 1, 3, 438), new DeviceNode("dev/sda", 8, 0, 432, Block: true)],
            Symlinks = [new SymlinkSpec("dev/fd", "/proc/self/fd")],
            RootMounts = [new MountRecord("", "/m", "/m", MountFlags.Remount | MountFlags.Bind | MountFlags.ReadOnly)],
            KernelSettings = [new KernelSetting("/proc/sys/net/ipv4/ping_group_range", "0 2147483647")],
            ConsoleSocket = "/run/shim/console.sock",
            Process = new StageProcess
            {
                Uid = 65534, Gid = 65534, Groups = [1, 2], Capabilities = 0xa80425fbUL, LastCapability = 40, NoNewPrivileges = true,
                WorkingDir = "/w d", Args = ["sh", "-c", "echo \"é\" \\ $x"], Env = ["A=1", "B="],
                SessionKeyring = "_ses.abc", SeccompFilter = new SeccompFilter([0x20, 0, 0, 0, 4, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0xff, 0x7f], "Docker's default profile"),
            },
        };
        byte[] written = InitSpecWriter.Write(spec);

        InitSpec read = InitSpecReader.Read(written);

        Assert.Equal(Encoding.UTF8.GetString(written), Encoding.UTF8.GetString(InitSpecWriter.Write(read)));
        Assert.Equal(spec.Process.Args, read.Process.Args);
        Assert.Equal(spec.Mounts, read.Mounts);
        Assert.Equal(spec.Devices, read.Devices);
        Assert.Equal((spec.Process.Capabilities, spec.Namespaces, spec.Process.Uid, spec.Process.WorkingDir), (read.Process.Capabilities, read.Namespaces, read.Process.Uid, read.Process.WorkingDir));
        Assert.Equal(spec.Process.SeccompFilter!.Program, read.Process.SeccompFilter!.Program);
        Assert.Equal(spec.Process.SessionKeyring, read.Process.SessionKeyring);
        Assert.Equal(spec.KernelSettings, read.KernelSettings);
        Assert.Equal(spec.ConsoleSocket, read.ConsoleSocket);
    }

    [Theory]
    [InlineData("{")]
    [InlineData("{}")]
    [InlineData("{\"RootFs\":1}")]
    public void Read_Malformed_IsOneMiniRunError(string json)
    {
        var e = Assert.Throws<MiniRunException>(() => InitSpecReader.Read(Encoding.UTF8.GetBytes(json)));
        Assert.StartsWith("init:", e.Message);
    }
}
