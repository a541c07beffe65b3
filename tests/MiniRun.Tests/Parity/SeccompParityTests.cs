using MiniRun.Fixtures;
using MiniRun.Tests.Sandbox;

namespace MiniRun.Tests.Parity;

/// <summary>
/// The seccomp probe (seccomp-probe.c) answers the same inside a minirun container as inside a `docker run` one:
/// Docker's default profile, as the real engine applies it, with Docker's default capabilities and with SYS_ADMIN.
/// </summary>
public class SeccompParityTests(SeccompProbeFixture fixture) : IClassFixture<SeccompProbeFixture>
{
    [DockerTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void Run_Probe_AnswersAsUnderDocker(bool sysAdmin)
    {
        string[] options = sysAdmin ? ["--cap-add", "SYS_ADMIN"] : [];
        string image = $"minirun-seccomp-{Guid.NewGuid():N}"[..26] + ":latest";
        DockerEngine.Docker("import", BusyboxRootfs.LayerTar, image);
        Dictionary<string, string> docker;
        try
        {
            docker = SeccompProbeFixture.Parse(DockerEngine.Docker(
                ["run", "--rm", "--network", "none", .. options, "-v", $"{fixture.ProbeLayer}:/probe-dir:ro", image, "/probe-dir/probe"]));
        }
        finally
        {
            DockerEngine.TryDocker("rmi", "-f", image);
        }

        Dictionary<string, string> minirun = fixture.Probe(options);

        // io_uring_* left Docker's profile in version 25 (moby#46762); an older engine still allows them.
        if (ServerMajorVersion() < 25)
        {
            Assert.Equal("EPERM", minirun["io_uring_setup"]);
            docker.Remove("io_uring_setup");
            minirun.Remove("io_uring_setup");
        }
        // A session keyring's ID is the container's own (or, refused, EPERM in both).
        if (long.TryParse(docker["session_keyring"], out _) && long.TryParse(minirun["session_keyring"], out _))
            docker["session_keyring"] = minirun["session_keyring"];
        Assert.Equal(docker.OrderBy(p => p.Key).Select(p => $"{p.Key}={p.Value}"), minirun.OrderBy(p => p.Key).Select(p => $"{p.Key}={p.Value}"));
    }

    private static int ServerMajorVersion()
    {
        string version = DockerEngine.Docker("version", "--format", "{{.Server.Version}}").Trim();
        return int.TryParse(version.Split('.')[0], out int major) ? major : int.MaxValue;
    }
}
