using MiniRun.Fixtures;

namespace MiniRun.Tests.Scripts;

/// <summary>
/// scripts/apparmor: the profile that lets minirun create user namespaces where Ubuntu's AppArmor restricts them
/// (kernel.apparmor_restrict_unprivileged_userns=1), and install.sh, which provisioning runs to attach it to the
/// installed binary and the repo's build and load it.
/// </summary>
public sealed class AppArmorProfileTests
{
    private const string TemplateProfileLine = "profile minirun /usr/local/bin/minirun flags=(unconfined) {";
    private static string Template => Path.Combine(MiniRunCli.RepositoryRoot, "scripts", "apparmor", "minirun");
    private static string Install => Path.Combine(MiniRunCli.RepositoryRoot, "scripts", "apparmor", "install.sh");

    [Fact]
    public void Profile_AllowsUserNamespaces_AndConfinesNothingElse()
    {
        string[] lines = [.. File.ReadAllLines(Template).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))];

        Assert.Equal(["abi <abi/4.0>,", "include <tunables/global>", TemplateProfileLine, "userns,", "include if exists <local/minirun>", "}"], lines);
    }

    [Fact]
    public void InstallPrint_SymlinkAndDuplicate_AttachesEachRealPathOnce()
    {
        using var scratch = new TempDirectory("minirun-apparmor");
        string binary = scratch.Combine("artifacts", "minirun");
        Directory.CreateDirectory(Path.GetDirectoryName(binary)!);
        File.WriteAllText(binary, "");
        File.CreateSymbolicLink(scratch.Combine("minirun-link"), binary);

        ExternalCommand.Result result = ExternalCommand.Run(Install, ["--print", "/usr/local/bin/minirun", scratch.Combine("minirun-link"), binary]);

        Assert.True(result.ExitCode == 0, result.ToString());
        string attached = $"profile minirun /{{usr/local/bin/minirun,{binary.TrimStart('/')}}} flags=(unconfined) {{";
        Assert.Equal(File.ReadAllText(Template).Replace(TemplateProfileLine, attached), result.Stdout);
    }

    [Fact]
    public void InstallPrint_PathWithPatternCharacters_IsLeftOutWithAWarning()
    {
        ExternalCommand.Result result = ExternalCommand.Run(Install, ["--print", "/opt/a b/minirun", "/opt/x*/minirun", "/usr/bin/minirun"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("profile minirun /usr/bin/minirun flags=(unconfined) {", result.Stdout);
        Assert.Contains("apparmor: not attaching /opt/a b/minirun:", result.Stderr);
        Assert.Contains("apparmor: not attaching /opt/x*/minirun:", result.Stderr);
        Assert.NotEqual(0, ExternalCommand.Run(Install, ["--print", "/opt/a b/minirun"]).ExitCode);
    }

    /// <summary>The profile as provisioning writes it compiles (not loaded: --skip-kernel-load).</summary>
    [AppArmorParserFact]
    public void InstallPrint_Profile_CompilesWithApparmorParser()
    {
        using var scratch = new TempDirectory("minirun-apparmor");
        ExternalCommand.Result printed = ExternalCommand.Run(Install, ["--print", "/usr/local/bin/minirun", "/vagrant/artifacts/minirun"]);
        Assert.True(printed.ExitCode == 0, printed.ToString());
        File.WriteAllText(scratch.Combine("minirun"), printed.Stdout);

        ExternalCommand.Result parsed = ExternalCommand.Run(AppArmorParserFactAttribute.Parser!, ["--skip-kernel-load", "--skip-cache", scratch.Combine("minirun")]);

        Assert.True(parsed.ExitCode == 0, parsed.ToString());
    }

    /// <summary>Where the kernel does not restrict user namespaces (Debian, most others) provisioning installs nothing.</summary>
    [UnrestrictedUserNamespacesFact]
    public void Install_KernelWithoutTheRestriction_ChangesNothing()
    {
        bool before = File.Exists("/etc/apparmor.d/minirun");

        ExternalCommand.Result result = ExternalCommand.Run(Install, ["/usr/local/bin/minirun"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("apparmor: this kernel does not restrict user namespaces: no profile needed\n", result.Stdout);
        Assert.Equal(before, File.Exists("/etc/apparmor.d/minirun"));
    }

    [Theory]
    [InlineData("scripts/provision.sh")]
    [InlineData("scripts/apparmor/install.sh")]
    [InlineData("scripts/deps.sh")]
    public void ProvisioningScript_Syntax_ParsesAsBash(string script)
    {
        ExternalCommand.Result result = ExternalCommand.Run("bash", ["-n", Path.Combine(MiniRunCli.RepositoryRoot, script)]);

        Assert.True(result.ExitCode == 0, result.ToString());
    }
}

/// <summary>A test that needs an AppArmor 4 parser (the `userns` rule, abi/4.0): Ubuntu 24.04 and later.</summary>
public sealed class AppArmorParserFactAttribute : FactAttribute
{
    public static string? Parser { get; } =
        new[] { "/usr/sbin/apparmor_parser", "/sbin/apparmor_parser", "/usr/bin/apparmor_parser" }.FirstOrDefault(File.Exists);

    public AppArmorParserFactAttribute()
    {
        if (Parser is null || !File.Exists("/etc/apparmor.d/abi/4.0"))
            Skip = "needs apparmor_parser with abi 4.0 (Ubuntu 24.04 and later: apt-get install apparmor)";
    }
}

/// <summary>A test for a kernel without AppArmor's user namespace restriction (Debian's, most others').</summary>
public sealed class UnrestrictedUserNamespacesFactAttribute : FactAttribute
{
    public UnrestrictedUserNamespacesFactAttribute()
    {
        if (File.Exists("/proc/sys/kernel/apparmor_restrict_unprivileged_userns"))
            Skip = "this kernel restricts unprivileged user namespaces: install.sh would load the profile";
    }
}
