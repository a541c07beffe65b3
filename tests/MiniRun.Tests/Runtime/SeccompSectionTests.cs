using MiniRun.Runtime.Spec;
using MiniRun.Sandbox;
using MiniRun.Sandbox.Seccomp;

namespace MiniRun.Tests.Runtime;

/// <summary>The seccomp section of config.json: Docker's profile resolved for one container, and compiled back from it.</summary>
public class SeccompSectionTests
{
    [Fact]
    public void ToProfile_SectionOfTheDefaultProfile_CompilesToTheSameRules()
    {
        ulong capabilities = 0xa80425fbUL;
        var kernel = new KernelVersion(6, 1);
        SeccompProfile profile = SeccompProfile.Parse(SeccompFilters.DefaultProfile(), SeccompFilters.DefaultProfileName);
        LinuxSeccomp section = SeccompSection.FromProfile(profile, capabilities, kernel);

        byte[] direct = SeccompCompiler.Compile(profile, capabilities, kernel).Program;
        byte[] throughSpec = SeccompCompiler.Compile(SeccompSection.ToProfile(section), capabilities, kernel).Program;

        // After the 6-instruction ENOSYS stub, whose bound is the highest syscall the rules name (fewer rules, as runc's).
        Assert.Equal(direct[48..], throughSpec[48..]);
        Assert.All(section.Syscalls!, rule => Assert.NotEmpty(rule.Names));
    }

    [Fact]
    public void FromProfile_RulesForOtherCapabilities_AreLeftOut()
    {
        SeccompProfile profile = SeccompProfile.Parse(SeccompFilters.DefaultProfile(), SeccompFilters.DefaultProfileName);

        LinuxSeccomp plain = SeccompSection.FromProfile(profile, 0xa80425fbUL, new KernelVersion(6, 1));
        LinuxSeccomp ptrace = SeccompSection.FromProfile(profile, 0xa80425fbUL | 1UL << Capabilities.Parse("SYS_PTRACE"), new KernelVersion(6, 1));

        Assert.DoesNotContain(plain.Syscalls!, r => r.Names.Contains("kcmp"));
        Assert.Contains(ptrace.Syscalls!, r => r.Names.Contains("kcmp"));
    }
}
