namespace MiniRun.Images.Registry;

/// <summary>
/// Docker Hub's well-known names, in one place: references normalise to <c>docker.io</c> (distribution/reference),
/// but its API lives on another host, and docker login stores its credentials under the legacy index URL.
/// </summary>
public static class DockerHub
{
    /// <summary>The domain references normalise to (<c>alpine</c> → <c>docker.io/library/alpine</c>).</summary>
    public const string Domain = ImageReference.DefaultDomain;

    /// <summary>The host that serves Docker Hub's /v2/ API (the default endpoint of Docker's registry client).</summary>
    public const string ApiHost = "registry-1.docker.io";

    /// <summary>The legacy index's host, in the key docker login writes and in older clients' names for Docker Hub.</summary>
    public const string IndexHost = "index.docker.io";

    /// <summary>The key of Docker Hub's entry in ~/.docker/config.json "auths" (written by docker login).</summary>
    public const string CredentialsKey = Credentials.ServerAddress.DockerHubKey;

    /// <summary>The host to talk to for a reference's domain.</summary>
    public static string ApiHostFor(string domain) => domain == Domain ? ApiHost : domain;
}
