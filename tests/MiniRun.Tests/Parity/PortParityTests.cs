using System.Formats.Tar;
using System.Text.Json;
using MiniRun.Containers;
using MiniRun.Fixtures;

namespace MiniRun.Tests.Parity;

/// <summary>
/// -p and --expose against the real docker CLI, which checks them before it asks for the image: a bad value fails both
/// with exit 125 and Docker's words; a good one gives the bindings Docker's create records (HostConfig.PortBindings).
/// </summary>
public sealed class PortParityTests
{
    private static readonly string[] BadPublish =
    [
        "abc", "99999", "-1", "+80", "0x50", "85-80", "80-", "abc/foo", "70000:80", "10-0:80", "-8080:80", "1.2.3.4:80", "8080:", "", "/tcp",
        ":", "::", ":::", "80/foo", "80/FOO", "8000-8010:80-85", "8080:80-81", "host:8080:80", "a:b:c:d", "1:2:3/udp", "256.1.1.1:80:80",
        "01.2.3.4:80:80", "127.1:80:80", "1.2.3.4.5:80:80", "1::2::3:80:80", "[fe80::1%eth0]:80:80", "[::1]:80", "[::1]x:8080:80",
        "[::1]]:8080:80", "[[::1]:8080:80", "[::1]:x:80", "target=80,bogus", "=80", "target=80,", "published=80", "a=b", "target=80=81",
    ];

    private static readonly string[] BadExpose = ["8080:80", "abc", "", "82-80", "99999", "80-", "-1", "/tcp"];

    private static readonly string[] GoodPublish =
    [
        "80", "8080:80", "0:80", ":80", "127.0.0.1:8080:80", "127.0.0.1::80", "[::1]:8080:80", "::1:8080:80", "[::]::80", "[]:8080:80",
        "FE80::1:80:80", "::ffff:1.2.3.4:80:80", "80/udp", "80/sctp", "80/TCP", "80/Udp", "80/", "080", "8080:80/tcp/udp", "80-82",
        "8000-8002:80-82", "8000-8010:80", "0-10:80", "1-2-3", "target=80,published=8080,protocol=udp", "target=80,host_ip=127.0.0.1",
        "target=80-81,published=8080-8081", "target=80,protocol=",
    ];

    private static readonly string[] GoodExpose = ["80", "80/udp", "80-82", "80-82/udp", "80/", "0", "1-2-3"];

    [DockerFact]
    public void Create_BadPublishOrExpose_FailsAsDocker_125AndItsWords()
    {
        using var store = new TempDirectory("minirun-port-parity");
        var cli = new MiniRunCli(store.Path);
        var mismatches = new List<string>();
        foreach ((string flag, string value) in BadPublish.Select(v => ("-p", v)).Concat(BadExpose.Select(v => ("--expose", v))))
        {
            ExternalCommand.Result docker = DockerEngine.Status("create", flag, value, "minirun-no-such-image", "true");
            MiniRunCli.Result minirun = cli.Run("create", flag, value, "minirun-no-such-image", "true");
            string dockerLine = docker.Stderr.Split('\n')[0];
            string expected = "minirun: " + dockerLine["docker: ".Length..];
            string[] lines = minirun.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (docker.ExitCode != 125 || !dockerLine.StartsWith("docker: ", StringComparison.Ordinal))
                mismatches.Add($"{flag} '{value}': docker itself: {docker}");
            else if (minirun.ExitCode != 125 || lines.Length != 1 || !lines[0].StartsWith(expected + " (", StringComparison.Ordinal))
                mismatches.Add($"{flag} '{value}': docker said '{dockerLine}' (125), minirun {minirun.ExitCode}: {minirun.Stderr.Trim()}");
        }
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
        Assert.Equal("", cli.Run("ps", "-aq").Stdout); // refused before anything was made
    }

    [DockerFact]
    public void Parse_GoodValues_SameBindingsAndExposedPortsAsDockersCreate()
    {
        using var work = new TempDirectory("minirun-port-parity");
        string image = $"minirun-port-parity-{Guid.NewGuid():N}"[..32].ToLowerInvariant();
        string tar = work.Combine("empty.tar");
        using (var writer = new TarWriter(File.Create(tar))) writer.WriteEntry(new PaxTarEntry(TarEntryType.Directory, "etc/"));
        DockerEngine.Docker("import", tar, image);
        try
        {
            var mismatches = new List<string>();
            foreach (string value in GoodPublish)
            {
                string docker = DockerBindings("-p", value, image);
                string ours = Bindings(PortRequests.Parse(PortRequests.Normalize(value)));
                if (docker != ours) mismatches.Add($"-p '{value}': docker {docker}, minirun {ours}");
            }
            foreach (string value in GoodExpose)
            {
                string docker = DockerBindings("--expose", value, image);
                string ours = "{} " + string.Join(",", PortRequests.ParseExpose(PortRequests.NormalizeExpose(value)).Order(StringComparer.Ordinal));
                if (docker != ours) mismatches.Add($"--expose '{value}': docker {docker}, minirun {ours}");
            }
            Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
        }
        finally
        {
            DockerEngine.TryDocker("rmi", "-f", image);
        }
    }

    /// <summary>Docker's PortBindings ("0" is its any-port, as no port) and ExposedPorts keys, in one comparable line.</summary>
    private static string DockerBindings(string flag, string value, string image)
    {
        string id = DockerEngine.Docker("create", "--network", "none", flag, value, image, "true").Trim();
        try
        {
            string[] parts = DockerEngine.Docker("inspect", "-f", "{{json .HostConfig.PortBindings}}\t{{json .Config.ExposedPorts}}", id).Trim().Split('\t');
            using JsonDocument bindings = JsonDocument.Parse(parts[0]), exposed = JsonDocument.Parse(parts[1]);
            IEnumerable<string> each = bindings.RootElement.EnumerateObject().SelectMany(p => p.Value.EnumerateArray().Select(b =>
                $"{p.Name}@{b.GetProperty("HostIp").GetString()}:{(b.GetProperty("HostPort").GetString() is "" or "0" ? "any" : b.GetProperty("HostPort").GetString())}"));
            string keys = string.Join(",", exposed.RootElement.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
            return "{" + string.Join(" ", each.Order(StringComparer.Ordinal)) + "} " + keys;
        }
        finally
        {
            DockerEngine.TryDocker("rm", "-f", id);
        }
    }

    private static string Bindings(IReadOnlyList<PortRequest> requests) =>
        "{" + string.Join(" ", requests.Select(r => $"{r.Key}@{r.HostIp}:{r.HostPorts?.ToString() ?? "any"}").Order(StringComparer.Ordinal)) + "} "
        + string.Join(",", requests.Select(r => r.Key).Distinct().Order(StringComparer.Ordinal));
}
