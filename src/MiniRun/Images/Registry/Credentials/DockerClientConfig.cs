using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MiniRun.Native;

namespace MiniRun.Images.Registry.Credentials;

/// <summary>
/// Docker's client config (<c>$DOCKER_CONFIG/config.json</c>, else <c>~/.docker/config.json</c>), held as a JSON tree so
/// that a save keeps every key MiniRun does not know (proxies, detachKeys, plugins …) as docker itself would.
/// Logins live in "auths" (host → {"auth": base64("user:password")}); "credsStore" and "credHelpers" name
/// docker-credential-* programs that keep the secrets instead (docker/cli cli/config/configfile/file.go).
/// </summary>
public sealed class DockerClientConfig
{
    private readonly JsonObject _root;

    private DockerClientConfig(string path, JsonObject root)
    {
        Path = path;
        _root = root;
    }

    public string Path { get; }

    /// <summary>$DOCKER_CONFIG/config.json, else $HOME/.docker/config.json; null without either.</summary>
    public static string? DefaultPath()
    {
        string? dir = Environment.GetEnvironmentVariable("DOCKER_CONFIG");
        if (string.IsNullOrEmpty(dir))
        {
            string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile, Environment.SpecialFolderOption.DoNotVerify); // made at the first login, as docker makes it
            if (string.IsNullOrEmpty(home)) return null;
            dir = System.IO.Path.Combine(home, ".docker");
        }
        return System.IO.Path.Combine(dir, "config.json");
    }

    /// <summary>The file as it is; an empty config when there is none (docker too starts from nothing).</summary>
    public static DockerClientConfig Load(string path)
    {
        if (!File.Exists(path)) return new DockerClientConfig(path, []);
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.All(b => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')) return new DockerClientConfig(path, []);
        try
        {
            return JsonNode.Parse(bytes, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true }) is JsonObject root
                ? new DockerClientConfig(path, root)
                : throw new InvalidInputException($"{path}: not a JSON object: fix or remove the file");
        }
        catch (JsonException e)
        {
            throw new InvalidInputException($"{path}: malformed JSON ({UserMessages.Detail(e)}): fix or remove the file");
        }
    }

    /// <summary>The helper for every registry ("credsStore"), if any.</summary>
    public string? CredsStore => Text(_root["credsStore"]) is { Length: > 0 } name ? name : null;

    /// <summary>The helper that keeps this registry's login: credHelpers' entry for it, else credsStore (getConfiguredCredentialStore).</summary>
    public string? HelperFor(string key)
    {
        if (_root["credHelpers"] is JsonObject helpers)
            foreach ((string name, JsonNode? value) in helpers)
                if (ServerAddress.SameRegistry(name, key) && Text(value) is { Length: > 0 } helper) return helper;
        return CredsStore;
    }

    /// <summary>The keys of "auths" that name this registry, the exact one first.</summary>
    public IReadOnlyList<string> AuthKeysFor(string key) => _root["auths"] is JsonObject auths
        ? auths.Select(a => a.Key).Where(k => ServerAddress.SameRegistry(k, key)).OrderBy(k => k == key ? 0 : 1).ToList()
        : [];

    /// <summary>True when "auths" has exactly this key (also an empty entry: its secret is in a helper).</summary>
    public bool HasAuthEntry(string key) => _root["auths"] is JsonObject auths && auths.ContainsKey(key);

    /// <summary>The login in "auths" for this registry: "auth", or "username" and "password" as some tools write.</summary>
    public RegistryCredentials? ReadAuth(string key)
    {
        if (_root["auths"] is not JsonObject auths) return null;
        foreach (string name in AuthKeysFor(key))
        {
            if (auths[name] is not JsonObject entry) continue;
            if (Text(entry["username"]) is { Length: > 0 } user && Text(entry["password"]) is { } password) return new RegistryCredentials(user, password);
            if (Text(entry["auth"]) is not { Length: > 0 } auth) continue;
            string decoded;
            try { decoded = Encoding.UTF8.GetString(Convert.FromBase64String(auth)); }
            catch (FormatException) { throw new InvalidInputException($"{Path}: auths[\"{name}\"].auth is not base64"); }
            int colon = decoded.IndexOf(':');
            if (colon <= 0) throw new InvalidInputException($"{Path}: auths[\"{name}\"].auth is not base64(user:password)");
            return new RegistryCredentials(decoded[..colon], decoded[(colon + 1)..]);
        }
        return null;
    }

    /// <summary>Sets "auths"[key] to {"auth": base64("user:password")}, or to {} when a helper keeps the secret (as docker writes it).</summary>
    public void SetAuth(string key, RegistryCredentials? credentials)
    {
        if (_root["auths"] is not JsonObject auths) _root["auths"] = auths = [];
        var entry = new JsonObject();
        if (credentials is not null) entry["auth"] = credentials.BasicHeaderValue;
        auths[key] = entry;
    }

    /// <summary>Removes "auths"[key]; false when it was not there.</summary>
    public bool RemoveAuth(string key) => _root["auths"] is JsonObject auths && auths.Remove(key);

    /// <summary>Writes the whole tree back, tab-indented as docker does, atomically and readable by the owner only (it holds secrets).</summary>
    public void Save()
    {
        // docker writes through a symlinked config.json to its target (configfile.Save).
        string target = new FileInfo(Path).LinkTarget is not null
            ? File.ResolveLinkTarget(Path, returnFinalTarget: true)?.FullName ?? Path
            : Path;
        string directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(target))!;
        if (!Directory.Exists(directory)) Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, IndentCharacter = '\t', IndentSize = 1 }))
            _root.WriteTo(writer);
        AtomicFile.WriteAllBytes(target, buffer.ToArray(), mode: UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue(out string? text) ? text : null;
}
