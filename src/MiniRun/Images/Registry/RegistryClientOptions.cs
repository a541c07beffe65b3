using MiniRun.Images.Registry.Credentials;

namespace MiniRun.Images.Registry;

/// <summary>How patient the registry client is: a registry that is down fails well within 15 s, a slow blob does not.</summary>
public sealed record RegistryClientOptions
{
    /// <summary>TCP (and TLS) connect timeout per attempt.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>Until the response headers of one attempt have arrived.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>No attempt of one request starts or runs past this, retries included.</summary>
    public TimeSpan RequestDeadline { get; init; } = TimeSpan.FromSeconds(12);
    public int MaxAttempts { get; init; } = 4;
    /// <summary>The first retry's delay; each further one doubles it (plus jitter).</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(250);
    /// <summary>A blob download that delivers no byte for this long is abandoned.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Registries (host or host:port) that may be spoken to over plain HTTP besides loopback ones.</summary>
    public IReadOnlyList<string> InsecureRegistries { get; init; } = [];
    /// <summary>Docker's client config, whose logins (in "auths" or its credential helpers) answer challenges; null for anonymous pulls only.</summary>
    public string? DockerConfigPath { get; init; } = DockerClientConfig.DefaultPath();
    /// <summary>A login to use instead of the config's (login checks the one it is about to store).</summary>
    public RegistryCredentials? Login { get; init; }
}
