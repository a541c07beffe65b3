namespace MiniRun.Images.Registry.Credentials;

/// <summary>
/// Where docker keeps a registry's login, and the same rules for reading and writing it (configfile.GetCredentialsStore):
/// the helper named by credHelpers for that registry, else by credsStore, keeps the secret (and "auths" an empty entry
/// for it); with no helper, "auths" holds base64("user:password") itself.
/// </summary>
public sealed class CredentialStore(DockerClientConfig config)
{
    public DockerClientConfig Config { get; } = config;

    /// <summary>The store of the config at <paramref name="path"/>; null for none (anonymous pulls only).</summary>
    public static CredentialStore? Open(string? path) => path is null ? null : new CredentialStore(DockerClientConfig.Load(path));

    /// <summary>The helper that keeps this registry's secret, or null for config.json itself.</summary>
    public CredentialHelper? HelperFor(string key) => Config.HelperFor(key) is { } name ? new CredentialHelper(name) : null;

    /// <summary>The login for a registry key (<see cref="ServerAddress"/>), or null: pulls are then anonymous.</summary>
    public RegistryCredentials? Get(string key) => HelperFor(key) is { } helper ? helper.Get(key) : Config.ReadAuth(key);

    /// <summary>The login for a reference's domain (registry.ResolveAuthConfig: Docker Hub's under its index URL).</summary>
    public RegistryCredentials? Find(string domain) => Get(ServerAddress.ForDomain(domain));

    /// <summary>Stores a login and saves the file; true when the password went into config.json in plain text.</summary>
    public bool Store(string key, RegistryCredentials credentials)
    {
        CredentialHelper? helper = HelperFor(key);
        helper?.Store(key, credentials);
        Config.SetAuth(key, helper is null ? credentials : null);
        Config.Save();
        return helper is null;
    }

    /// <summary>Removes a login: from its helper first (its failure keeps the entry, as docker's nativeStore.Erase), then from the file.</summary>
    public void Erase(string key)
    {
        HelperFor(key)?.Erase(key);
        if (Config.RemoveAuth(key)) Config.Save();
    }
}
