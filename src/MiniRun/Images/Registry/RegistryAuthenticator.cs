using System.Net.Http.Headers;
using System.Text.Json;
using MiniRun.Images.Registry.Credentials;

namespace MiniRun.Images.Registry;

/// <summary>
/// Turns a 401 challenge into an Authorization header: Bearer tokens from the challenge's realm (Docker's token spec:
/// GET realm?service=…&amp;scope=repository:NAME:pull, with Basic credentials when there is a login, anonymous otherwise),
/// or Basic credentials when the registry asks for them. The login is looked up on the first challenge only, so a
/// registry that asks for none never runs a credential helper. With no repository (login), the token has no scope.
/// </summary>
internal sealed class RegistryAuthenticator(RegistryEndpoint endpoint, string? repository, Func<RegistryCredentials?> findCredentials,
    Func<HttpRequestMessage, string, HttpResponseMessage> send)
{
    private const int MaxTokenBytes = 1 << 20;
    private readonly Lazy<RegistryCredentials?> _credentials = new(findCredentials);

    /// <summary>The header to send with each request to the registry's own host, once a challenge was answered.</summary>
    public AuthenticationHeaderValue? Header { get; private set; }

    public bool HasCredentials => _credentials.Value is not null;

    /// <summary>Answers the challenges of a 401; false when none can be answered (e.g. Basic without a login).</summary>
    public bool Answer(IReadOnlyList<AuthChallenge> challenges)
    {
        RegistryCredentials? credentials = _credentials.Value;
        if (challenges.FirstOrDefault(c => c.IsBearer && c.Realm is not null) is { } bearer)
        {
            Header = new AuthenticationHeaderValue("Bearer", FetchToken(bearer));
            return true;
        }
        if (challenges.Any(c => c.IsBasic) && credentials is not null)
        {
            Header = new AuthenticationHeaderValue("Basic", credentials.BasicHeaderValue);
            return true;
        }
        return false;
    }

    private string FetchToken(AuthChallenge challenge)
    {
        RegistryCredentials? credentials = _credentials.Value;
        string name = $"registry {endpoint.Domain}";
        if (!Uri.TryCreate(challenge.Realm, UriKind.Absolute, out Uri? realm) || realm.Scheme is not ("https" or "http"))
            throw new RegistryException($"{name}: token realm \"{challenge.Realm}\" is not an http(s) URL");
        // Credentials and tokens travel in clear over http: only to a loopback or explicitly insecure token server.
        if (realm.Scheme == "http" && !endpoint.AllowsPlainHttp && !RegistryEndpoint.IsLoopback(realm.Authority))
            throw new RegistryException($"{name}: token realm {realm.GetLeftPart(UriPartial.Authority)} is plain http; refused");
        // A scope from the challenge may name another action; what we need is pull on this repository.
        var query = new List<string>();
        if (challenge.Service is { } service) query.Add("service=" + Uri.EscapeDataString(service));
        if (repository is not null) query.Add("scope=" + Uri.EscapeDataString($"repository:{repository}:pull"));
        // docker's token handler names the user it authenticates as (distribution registry/client/auth "account").
        if (credentials is not null) query.Add("account=" + Uri.EscapeDataString(credentials.Username));
        var builder = new UriBuilder(realm) { Query = string.Join('&', new[] { realm.Query.TrimStart('?') }.Where(q => q.Length > 0).Concat(query)) };

        using var request = new HttpRequestMessage(HttpMethod.Get, builder.Uri);
        if (credentials is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Basic", credentials.BasicHeaderValue);
        using HttpResponseMessage response = send(request, $"token from {realm.GetLeftPart(UriPartial.Authority)}");
        if ((int)response.StatusCode is 401 or 403)
            throw new RegistryException($"{name}: the token server refused {(credentials is null ? "an anonymous pull" : $"the login of \"{credentials.Username}\"")}{(repository is null ? "" : " of " + repository)}: unauthorized (HTTP {(int)response.StatusCode}{RegistryErrors.Describe(response)})");
        if (!response.IsSuccessStatusCode)
            throw new RegistryException($"{name}: the token server answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
        using Stream body = response.Content.ReadAsStream();
        byte[] json = ImageJson.ReadBounded(body, $"{name}: token response");
        if (json.Length > MaxTokenBytes) throw new RegistryException($"{name}: token response too large");
        TokenResponse? token;
        try { token = JsonSerializer.Deserialize(json, RegistryJsonContext.Default.TokenResponse); }
        catch (JsonException) { throw new RegistryException($"{name}: the token server's answer is not JSON"); }
        string? value = !string.IsNullOrEmpty(token?.Token) ? token.Token : token?.AccessToken;
        return string.IsNullOrEmpty(value) ? throw new RegistryException($"{name}: the token server's answer holds no token") : value;
    }
}
