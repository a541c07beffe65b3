using MiniRun.Containers;

namespace MiniRun.Tests.Containers;

/// <summary>--dns and --dns-search, checked as Docker's CLI checks them, with its messages.</summary>
public class DnsFlagsTests
{
    [Theory]
    [InlineData("1.2.3.4", "1.2.3.4")]
    [InlineData(" 1.2.3.4 ", "1.2.3.4")]
    [InlineData("127.0.0.1", "127.0.0.1")]
    [InlineData("::1", "::1")]
    [InlineData("2001:DB8:0:0:0:0:0:1", "2001:db8::1")]
    [InlineData("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1")]
    [InlineData("::ffff:1.2.3.4", "1.2.3.4")]
    [InlineData("64:ff9b::1.2.3.4", "64:ff9b::102:304")]
    public void CheckNameserver_Address_GoesInGosCanonicalForm(string flag, string expected)
    {
        Assert.Equal(expected, DnsFlags.CheckNameserver(flag));
    }

    [Theory]
    [InlineData("1.2.3")]
    [InlineData("01.2.3.4")]
    [InlineData("256.1.1.1")]
    [InlineData("1.2.3.4/32")]
    [InlineData("fe80::1%eth0")]
    [InlineData("[::1]")]
    [InlineData("dns.example")]
    [InlineData("")]
    public void CheckNameserver_NoAddress_IsRefusedWithDockersMessage(string flag)
    {
        var e = Assert.Throws<InvalidInputException>(() => DnsFlags.CheckNameserver(flag));

        Assert.Equal($"invalid argument \"{flag}\" for \"--dns\" flag: IP address is not correctly formatted: {flag}", e.Message);
    }

    [Theory]
    [InlineData("example.com", "example.com")]
    [InlineData("example.com.", "example.com")]
    [InlineData(" corp-1.example ", "corp-1.example")]
    [InlineData(".", ".")]
    [InlineData("lan", "lan")]
    public void CheckSearchDomain_Domain_IsKept_FinalDotDropped(string flag, string expected)
    {
        Assert.Equal(expected, DnsFlags.CheckSearchDomain(flag));
    }

    [Theory]
    [InlineData("a_b!", "a_b!")]
    [InlineData("123", "123")]
    [InlineData("-lan.example", "-lan.example")]
    [InlineData("a..example", "a..example")]
    [InlineData("two words", "two words")]
    public void CheckSearchDomain_NoDomain_IsRefusedWithDockersMessage(string flag, string shown)
    {
        var e = Assert.Throws<InvalidInputException>(() => DnsFlags.CheckSearchDomain(flag));

        Assert.Equal($"invalid argument \"{flag}\" for \"--dns-search\" flag: {shown} is not a valid domain", e.Message);
    }

    [Fact]
    public void CheckSearchDomain_255CharactersOrMore_IsRefused()
    {
        string longName = string.Join('.', Enumerable.Repeat(new string('a', 63), 4)); // 255 characters

        Assert.Throws<InvalidInputException>(() => DnsFlags.CheckSearchDomain(longName));
        Assert.Equal(longName[..253], DnsFlags.CheckSearchDomain(longName[..253]));
    }

    [RootFact]
    public void RunAndCreate_BadDnsValue_OneLineAndStatus125_BeforeTheImageIsLookedFor()
    {
        using var store = new TempDirectory("minirun-dns-flags");
        var cli = new MiniRunCli(store.Path);

        foreach (string verb in new[] { "run", "create" })
        {
            MiniRunCli.Result dns = cli.Run(verb, "--dns", "1.2.3", "--pull", "never", "nosuch");
            Assert.Equal((125, "minirun: invalid argument \"1.2.3\" for \"--dns\" flag: IP address is not correctly formatted: 1.2.3\n"), (dns.ExitCode, dns.Stderr));
            MiniRunCli.Result search = cli.Run(verb, "--dns-search", "a_b!", "--pull", "never", "nosuch");
            Assert.Equal((125, "minirun: invalid argument \"a_b!\" for \"--dns-search\" flag: a_b! is not a valid domain\n"), (search.ExitCode, search.Stderr));
        }
        // Good values pass the flags: what fails then is the image.
        MiniRunCli.Result good = cli.Run("create", "--dns", "1.2.3.4", "--dns-search", "lan", "--dns-option", "ndots:2", "--pull", "never", "nosuch");
        Assert.DoesNotContain("--dns", good.Stderr);
        Assert.Contains("nosuch", good.Stderr);
    }
}
