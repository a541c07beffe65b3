namespace MiniRun.Images.Registry.Credentials;

/// <summary>What a logout did: the registry's name as docker prints it, and the keys that would not go (only when none went).</summary>
public sealed record LogoutResult(string Hostname, IReadOnlyList<(string Key, string Error)> Failures);

/// <summary>
/// docker logout [SERVER] (cli/command/registry/logout.go): the login is looked for under the key as given and under the
/// forms older clients wrote (host, http://host, https://host), and each is erased from its store. As docker 28 does, a
/// logout always says it removes the login (a helper may hold one that config.json does not list), and it reports
/// failures only when no key could be erased; a helper's "not found" is no failure.
/// </summary>
public static class RegistryLogout
{
    public static LogoutResult Run(CredentialStore store, string? server)
    {
        string key = ServerAddress.ForLogin(server);
        bool hub = key == ServerAddress.DockerHubKey;
        string hostname = hub ? key : ServerAddress.ToHostname(key);
        List<string> candidates = hub ? [key] : [server!, hostname, "http://" + hostname, "https://" + hostname];
        var failures = new List<(string, string)>();
        List<string> keys = candidates.Distinct().ToList();
        foreach (string candidate in keys)
        {
            try { store.Erase(candidate); }
            catch (MiniRunException e) when (!e.Message.Contains(CredentialHelper.NotFoundMessage, StringComparison.Ordinal))
            {
                failures.Add((candidate, e.Message));
            }
        }
        return new LogoutResult(hostname, failures.Count == keys.Count ? failures : []);
    }
}
