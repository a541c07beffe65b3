namespace MiniRun.Images.Registry.Credentials;

/// <summary>What a logout did: the registry's name as docker prints it, whether there was a login, and the keys that would not go.</summary>
public sealed record LogoutResult(string Hostname, bool WasLoggedIn, IReadOnlyList<(string Key, string Error)> Failures);

/// <summary>
/// docker logout [SERVER] (cli/command/registry/logout.go): the login is looked for under the key as given and under the
/// forms older clients wrote (host, http://host, https://host); each one found is erased from its store.
/// </summary>
public static class RegistryLogout
{
    public static LogoutResult Run(CredentialStore store, string? server)
    {
        string key = ServerAddress.ForLogin(server);
        bool hub = key == ServerAddress.DockerHubKey;
        string hostname = hub ? key : ServerAddress.ToHostname(key);
        List<string> candidates = hub ? [key] : [server!, hostname, "http://" + hostname, "https://" + hostname];
        // Logged in = an "auths" entry (with a helper it is empty, but there): the file says where logins are.
        List<string> present = candidates.Distinct().Where(store.Config.HasAuthEntry).ToList();
        var failures = new List<(string, string)>();
        foreach (string candidate in present)
        {
            try { store.Erase(candidate); }
            catch (MiniRunException e) { failures.Add((candidate, e.Message)); }
        }
        return new LogoutResult(hostname, present.Count > 0, failures);
    }
}
