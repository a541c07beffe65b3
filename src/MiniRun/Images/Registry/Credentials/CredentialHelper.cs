using System.Text;
using System.Text.Json;
using MiniRun.Native;

namespace MiniRun.Images.Registry.Credentials;

/// <summary>
/// A <c>docker-credential-NAME</c> program on $PATH, spoken to as docker does (docker-credential-helpers client.go):
/// the action is the one argument; "store" reads {"ServerURL","Username","Secret"} on stdin, "get" and "erase" read
/// the server URL; "get" prints the same JSON. A failure is a non-zero exit with its reason on stdout, and
/// "credentials not found in native keychain" means there is no login (not an error).
/// </summary>
public sealed class CredentialHelper
{
    /// <summary>credentials.errCredentialsNotFoundMessage: what every helper prints when it keeps nothing for a server.</summary>
    public const string NotFoundMessage = "credentials not found in native keychain";
    private const int MaxOutputBytes = 1 << 20;

    public CredentialHelper(string name)
    {
        // The name comes from a config file: a path in it would run any program.
        if (name.Length == 0 || name.Contains('/') || name.Contains('\0'))
            throw new InvalidInputException($"\"{name}\" is not a credential helper name (config.json credsStore or credHelpers: e.g. \"pass\" for docker-credential-pass)");
        Program = "docker-credential-" + name;
    }

    /// <summary>"docker-credential-NAME".</summary>
    public string Program { get; }

    /// <summary>The login the helper keeps for this server, or null when it keeps none.</summary>
    public RegistryCredentials? Get(string server)
    {
        (int status, string output) = Run("get", Encoding.UTF8.GetBytes(server));
        if (status != 0)
        {
            if (output.Trim() == NotFoundMessage) return null;
            throw Failure("get", server, status, output);
        }
        HelperCredentials? found;
        try { found = JsonSerializer.Deserialize(output, CredentialsJsonContext.Default.HelperCredentials); }
        catch (JsonException) { throw new MiniRunException($"{Program} get {server}: its answer is not JSON"); }
        // "<token>" marks an identity token (OAuth refresh token), which MiniRun does not exchange.
        if (found is null || string.IsNullOrEmpty(found.Username) || found.Username == "<token>") return null;
        return new RegistryCredentials(found.Username, found.Secret ?? "");
    }

    public void Store(string server, RegistryCredentials credentials)
    {
        byte[] input = JsonSerializer.SerializeToUtf8Bytes(new HelperCredentials { ServerURL = server, Username = credentials.Username, Secret = credentials.Password },
            CredentialsJsonContext.Default.HelperCredentials);
        (int status, string output) = Run("store", input);
        if (status != 0) throw Failure("store", server, status, output);
    }

    public void Erase(string server)
    {
        (int status, string output) = Run("erase", Encoding.UTF8.GetBytes(server));
        if (status != 0) throw Failure("erase", server, status, output);
    }

    private MiniRunException Failure(string action, string server, int status, string output)
    {
        string said = output.Trim().ReplaceLineEndings(" ");
        if (said.Length > 300) said = said[..300] + "…";
        return new MiniRunException($"{Program} {action} {server}: exited with status {status}{(said.Length > 0 ? ": " + said : "")}");
    }

    /// <summary>Runs the helper with <paramref name="input"/> on its stdin; its stdout back, its stderr on ours.</summary>
    private (int Status, string Output) Run(string action, byte[] input)
    {
        string path = ExecutableSearch.FindOnHost(Program) ?? throw new MiniRunException(
            $"{Program}: executable file not found in $PATH (config.json names the credential helper \"{Program["docker-credential-".Length..]}\": install it or remove it from credsStore/credHelpers)");
        List<string> environment = [];
        foreach (System.Collections.DictionaryEntry variable in Environment.GetEnvironmentVariables())
            environment.Add($"{variable.Key}={variable.Value}");
        // The input is small (well inside a pipe's buffer): written whole before the answer is read.
        (int status, byte[] output) = ProcessControl.RunPiped(path, [Program, action], environment, input);
        if (output.Length > MaxOutputBytes) throw new MiniRunException($"{Program} {action}: more than 1 MiB of output");
        return (status, Encoding.UTF8.GetString(output));
    }
}
