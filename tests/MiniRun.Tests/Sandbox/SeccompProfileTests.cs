using System.Text;
using MiniRun.Sandbox;
using MiniRun.Sandbox.Seccomp;

namespace MiniRun.Tests.Sandbox;

/// <summary>Docker's profile format read and filtered as Docker does, without a container: the rules a container gets.</summary>
public class SeccompProfileTests
{
    private static SeccompProfile Default => SeccompProfile.Parse(SeccompFilters.DefaultProfile(), "default");

    private static ulong Mask(params string[] names) => names.Aggregate(0UL, (m, n) => m | 1UL << Capabilities.Parse(n));

    private static ulong DockerDefaultCaps => Mask([.. Capabilities.DockerDefaults]);

    /// <summary>The names a container with these capabilities gets allowed by the profile, as Docker's filtering leaves them.</summary>
    private static HashSet<string> Allowed(ulong capabilities) =>
        Default.Syscalls!.Where(r => r.Action == "SCMP_ACT_ALLOW" && SeccompCompiler.Applies(r, capabilities, new KernelVersion(6, 18)))
            .SelectMany(r => r.AllNames).ToHashSet();

    [Fact]
    public void DefaultProfile_IsDockersErrnoByDefault()
    {
        Assert.Equal(("SCMP_ACT_ERRNO", 1u), (Default.DefaultAction, Default.DefaultErrnoRet));
    }

    [Fact]
    public void DefaultProfile_DockersCapabilities_AllowNeitherKeyringsNorNamespacesNorIoUring()
    {
        HashSet<string> allowed = Allowed(DockerDefaultCaps);

        foreach (string refused in new[] { "keyctl", "add_key", "request_key", "unshare", "setns", "mount", "perf_event_open", "bpf",
                     "io_uring_setup", "io_uring_enter", "io_uring_register", "clone3", "kexec_load", "init_module" })
            Assert.DoesNotContain(refused, allowed);
        foreach (string needed in new[] { "execve", "prctl", "capset", "setresuid", "setgroups", "umask", "close_range", "chroot", "seccomp" })
            Assert.Contains(needed, allowed);
    }

    [Fact]
    public void DefaultProfile_CapSysAdmin_AllowsUnshareAndClone3()
    {
        HashSet<string> allowed = Allowed(DockerDefaultCaps | Mask("SYS_ADMIN"));

        Assert.Contains("unshare", allowed);
        Assert.Contains("clone3", allowed);
        Assert.DoesNotContain("keyctl", allowed);
    }

    [Fact]
    public void DefaultProfile_Clone3WithoutSysAdmin_AnswersEnosys()
    {
        SeccompRule clone3 = Default.Syscalls!.Single(r => r.AllNames.SequenceEqual(["clone3"]) && r.Action == "SCMP_ACT_ERRNO");

        Assert.True(SeccompCompiler.Applies(clone3, DockerDefaultCaps, new KernelVersion(6, 18)));
        Assert.False(SeccompCompiler.Applies(clone3, Mask("SYS_ADMIN"), new KernelVersion(6, 18)));
        Assert.Equal(SeccompActions.Errno | 38u, SeccompActions.Resolve(clone3.Action!, clone3.ErrnoRet));
    }

    [Fact]
    public void Applies_MinKernel_ComparesMajorThenMinor()
    {
        var rule = new SeccompRule { Names = ["ptrace"], Action = "SCMP_ACT_ALLOW", Includes = new SeccompCondition { MinKernel = "4.8" } };

        Assert.True(SeccompCompiler.Applies(rule, 0, new KernelVersion(4, 8)));
        Assert.True(SeccompCompiler.Applies(rule, 0, new KernelVersion(5, 0)));
        Assert.False(SeccompCompiler.Applies(rule, 0, new KernelVersion(4, 7)));
    }

    [Fact]
    public void EnosysStub_OnlyReturnsOrFallsThroughToTheProgramAfterIt()
    {
        byte[] stub = SeccompCompiler.EnosysStub(0xC000003E, 450);

        Assert.Equal(6 * 8, stub.Length);
        for (int i = 0; i < 6; i++)
        {
            ushort code = BitConverter.ToUInt16(stub, i * 8);
            int jumpTrue = stub[i * 8 + 2], jumpFalse = stub[i * 8 + 3];
            if ((code & 0x07) == 0x05) // a jump: both targets inside the stub or exactly at its end
                Assert.True(i + 1 + Math.Max(jumpTrue, jumpFalse) <= 6, $"instruction {i} jumps past the stub");
        }
        Assert.Equal(SeccompActions.Errno | 38u, BitConverter.ToUInt32(stub, 5 * 8 + 4)); // the one return: ENOSYS
        Assert.Empty(SeccompCompiler.EnosysStub(0xC000003E, -1));
    }

    [Theory]
    [InlineData("[1, 2]", "not valid JSON")]
    [InlineData("{ \"defaultAction\": \"SCMP_ACT_NOTIFY\" }", "SCMP_ACT_NOTIFY")]
    [InlineData("{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [ { \"names\": [\"x\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [ { \"index\": 6, \"op\": \"SCMP_CMP_EQ\" } ] } ] }", "argument index 6")]
    [InlineData("{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [ { \"names\": [\"x\"], \"action\": \"SCMP_ACT_ALLOW\", \"args\": [ { \"index\": 0, \"op\": \"SCMP_CMP_ABOUT\" } ] } ] }", "unknown comparison")]
    [InlineData("{ \"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_X86_64\"], \"archMap\": [ { \"architecture\": \"SCMP_ARCH_X86_64\" } ] }", "both")]
    public void Parse_Broken_IsOneLineNamingTheFile(string json, string expected)
    {
        var e = Assert.Throws<MiniRunException>(() => SeccompProfile.Parse(Encoding.UTF8.GetBytes(json), "p.json"));

        Assert.StartsWith("seccomp profile p.json: ", e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
