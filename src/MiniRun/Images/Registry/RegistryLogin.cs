using MiniRun.Images.Registry.Credentials;

namespace MiniRun.Images.Registry;

/// <summary>What a login did: the key it stored under, and whether the password now sits in config.json in plain text.</summary>
public sealed record LoginResult(string Key, bool StoredInPlainText);

/// <summary>
/// docker login [SERVER]: the login is checked against the registry's /v2/ first (dockerd's loginV2: Basic, or a token
/// fetched with it), and stored only when the registry took it: under Docker Hub's index URL or the registry's host,
/// in the credential helper config.json names for it, else in config.json's "auths".
/// </summary>
public sealed class RegistryLogin(CredentialStore store, RegistryClientOptions options)
{
    /// <summary>The key SERVER is stored under (<see cref="ServerAddress.ForLogin"/>).</summary>
    public static string KeyFor(string? server) => ServerAddress.ForLogin(server);

    /// <summary>The login already stored for this key, if any (docker login without -u tries it first).</summary>
    public RegistryCredentials? Stored(string key) => store.Get(key);

    /// <summary>Checks the login against the registry; throws <see cref="RegistryException"/> when it is refused.</summary>
    public void Verify(string key, RegistryCredentials credentials)
    {
        RegistryEndpoint endpoint = RegistryEndpoint.For(ServerAddress.DomainOf(key), options.InsecureRegistries);
        using var client = new RegistryClient(endpoint, repository: null, options with { Login = credentials });
        client.CheckLogin();
    }

    /// <summary>Checks, then stores: nothing is written for a login the registry refused.</summary>
    public LoginResult LogIn(string key, RegistryCredentials credentials)
    {
        Verify(key, credentials);
        // docker warns about plain text only when the file's content changes (a repeated login says nothing).
        bool unchanged = store.HelperFor(key) is null && store.Config.HasAuthEntry(key) && store.Config.ReadAuth(key) == credentials;
        bool plain = store.Store(key, credentials);
        return new LoginResult(key, plain && !unchanged);
    }
}
