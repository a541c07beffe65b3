using MiniRun.Fixtures;

namespace MiniRun.Tests.Parity;

/// <summary>The real Docker engine and skopeo, driven through their command lines.</summary>
public static class DockerEngine
{
    private static readonly Lazy<string?> Unavailable = new(FindUnavailableReason);

    /// <summary>Null when the parity tests can run here; otherwise why not.</summary>
    public static string? UnavailableReason => Unavailable.Value;

    // The legacy builder: it needs no buildx plugin and honours --network none for RUN steps.
    private static readonly Dictionary<string, string> Environment = new() { ["DOCKER_BUILDKIT"] = "0" };

    /// <summary>Runs `docker ARGS...` and returns stdout; throws with everything printed on failure.</summary>
    public static string Docker(params string[] args) =>
        ExternalCommand.CheckResult(ExternalCommand.Run("docker", args, TimeSpan.FromMinutes(5), Environment));

    /// <summary>Runs `docker ARGS...` with stdin empty and returns how it ended, failure included (exit-status parity).</summary>
    public static ExternalCommand.Result Status(params string[] args) =>
        ExternalCommand.Run("docker", args, TimeSpan.FromMinutes(1), Environment);

    /// <summary>Runs `docker ARGS...` for cleanup: failures are ignored.</summary>
    public static void TryDocker(params string[] args)
    {
        try { ExternalCommand.Run("docker", args, TimeSpan.FromMinutes(1), Environment); }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception) { }
    }

    /// <summary>Runs `skopeo copy ARGS...`: the converter between image formats.</summary>
    public static void SkopeoCopy(params string[] args)
    {
        if (!ExternalCommand.IsOnPath("skopeo"))
            throw new InvalidOperationException("skopeo is missing: apt-get install skopeo (.ci/run installs it)");
        ExternalCommand.CheckResult(ExternalCommand.Run("skopeo", ["copy", "--quiet", .. args], TimeSpan.FromMinutes(5)));
    }

    private static string? FindUnavailableReason()
    {
        if (!MiniRun.Native.Syscalls.IsRoot) return "needs root to run containers (sudo make test)";
        if (!ExternalCommand.IsOnPath("docker")) return "no docker command: apt-get install docker.io (.ci/run does)";
        try
        {
            var info = ExternalCommand.Run("docker", ["info", "--format", "{{.ServerVersion}}"], TimeSpan.FromSeconds(20));
            return info.ExitCode == 0 ? null : "no Docker daemon answers (.ci/run starts one: dockerd --iptables=false --bridge=none)";
        }
        catch (TimeoutException)
        {
            return "the Docker daemon does not answer within 20 s";
        }
    }
}
