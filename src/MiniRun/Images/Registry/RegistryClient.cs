using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using MiniRun.Images.Registry.Credentials;

namespace MiniRun.Images.Registry;

/// <summary>
/// The OCI distribution API for one repository (distribution-spec spec.md "Pull"): the <c>/v2/</c> probe, manifests by
/// tag or digest, blobs streamed. Every request retries transient failures with backoff inside a deadline, answers 401
/// challenges once, and follows redirects itself so the Authorization header never leaves the registry's host.
/// </summary>
public sealed class RegistryClient : IDisposable
{
    private const int MaxRedirects = 10;
    private readonly RegistryEndpoint _endpoint;
    private readonly string? _repository;
    private readonly RegistryClientOptions _options;
    private readonly HttpClient _http;
    private readonly RegistryAuthenticator _auth;
    private readonly Lock _probeLock = new();
    private Uri? _base;

    /// <param name="repository">the repository every call is about; null for a client that only checks a login.</param>
    public RegistryClient(RegistryEndpoint endpoint, string? repository, RegistryClientOptions options)
    {
        _endpoint = endpoint;
        _repository = repository;
        _options = options;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = options.ConnectTimeout,
            MaxConnectionsPerServer = 8,
            UseCookies = false,
            UseProxy = true,
        };
        // dockerd skips certificate checks for registries it was told are insecure.
        if (endpoint.AllowsPlainHttp) handler.SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = (_, _, _, _) => true };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("minirun", "0.1"));
        _auth = new RegistryAuthenticator(endpoint, repository,
            () => options.Login ?? CredentialStore.Open(options.DockerConfigPath)?.Find(endpoint.Domain), SendWithRetries);
    }

    /// <summary>"registry docker.io", for messages.</summary>
    public string Name => $"registry {_endpoint.Domain}";

    /// <summary>
    /// GET /v2/ with the login answering the registry's challenge (Basic, or a token fetched with it), as dockerd's
    /// loginV2 does: success when the registry answers 200; a refusal throws, saying "unauthorized".
    /// </summary>
    public void CheckLogin()
    {
        string who = _options.Login is { } login ? $"login of \"{login.Username}\"" : "login";
        using HttpResponseMessage response = Send("v2/", who, null);
    }

    /// <summary>GET /v2/&lt;name&gt;/manifests/&lt;reference&gt; with every manifest type we read in Accept; bounded, digest checked.</summary>
    public RegistryManifest GetManifest(string tagOrDigest)
    {
        string what = $"manifest {_repository}:{tagOrDigest}".Replace(":sha256:", "@sha256:", StringComparison.Ordinal);
        using HttpResponseMessage response = Send($"v2/{_repository}/manifests/{tagOrDigest}", what, MediaTypes.ManifestAccept);
        byte[] bytes;
        using (Stream body = response.Content.ReadAsStream()) bytes = ReadBounded(body, what);
        Digest actual = Digest.Of(bytes);
        // distribution-spec: Docker-Content-Digest, when present, is the digest of the body as served.
        if (response.Headers.TryGetValues("Docker-Content-Digest", out IEnumerable<string>? values) && Digest.TryParse(values.FirstOrDefault(), out Digest claimed)
            && claimed != actual)
            throw new RegistryException($"{Name}: {what} has digest {actual}, the registry says {claimed}");
        if (Digest.TryParse(tagOrDigest, out Digest expected) && expected != actual)
            throw new RegistryException($"{Name}: {what} has digest {actual}, expected {expected}");
        return new RegistryManifest(bytes, response.Content.Headers.ContentType?.MediaType, actual);
    }

    /// <summary>A small blob (an image config) whole, verified against its digest.</summary>
    public byte[] GetBlob(Digest digest)
    {
        string what = $"blob {digest}";
        using HttpResponseMessage response = Send($"v2/{_repository}/blobs/{digest}", what, null);
        byte[] bytes;
        using (Stream body = response.Content.ReadAsStream()) bytes = ReadBounded(body, what);
        Digest actual = Digest.Of(bytes);
        return actual == digest ? bytes : throw new RegistryException($"{Name}: {what} has digest {actual}, expected {digest}");
    }

    /// <summary>GET a blob as a stream (the caller verifies it as it reads); reads that stall fail after <see cref="RegistryClientOptions.StallTimeout"/>.</summary>
    public Stream OpenBlob(Digest digest, Action<long>? onRead = null)
    {
        string what = $"blob {digest}";
        HttpResponseMessage response = Send($"v2/{_repository}/blobs/{digest}", what, null);
        try
        {
            return new RegistryBlobStream(response.Content.ReadAsStream(), response, _options.StallTimeout, $"{Name}: {what}", onRead);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private byte[] ReadBounded(Stream body, string what)
    {
        using var guarded = new RegistryBlobStream(body, null, _options.StallTimeout, $"{Name}: {what}", null);
        return ImageJson.ReadBounded(guarded, $"{Name}: {what}");
    }

    /// <summary>One API call on the registry's host: probe first, authenticate on 401, map failures to one-line errors.</summary>
    private HttpResponseMessage Send(string path, string what, string[]? accept)
    {
        Uri uri = new(Probe(), path);
        for (int round = 0; ; round++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            if (accept is not null)
                foreach (string type in accept) request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
            request.Headers.Authorization = _auth.Header;
            HttpResponseMessage response = SendWithRetries(request, what);
            if (response.IsSuccessStatusCode) return response;
            using (response)
            {
                if (response.StatusCode == HttpStatusCode.Unauthorized && round == 0 && _auth.Answer(ChallengesOf(response))) continue;
                throw Failure(response, what);
            }
        }
    }

    /// <summary>
    /// GET /v2/ (distribution-spec end-1): tells whether the registry speaks the API and how it wants authentication.
    /// A registry allowed plain HTTP is tried over https first and over http when TLS is not spoken there, as dockerd does.
    /// </summary>
    private Uri Probe()
    {
        lock (_probeLock)
        {
            if (_base is not null) return _base;
            var clock = Stopwatch.StartNew();
            Uri secure = _endpoint.BaseUri(plainHttp: false);
            if (_endpoint.AllowsPlainHttp)
            {
                try
                {
                    // Bounded by the connect timeout (which covers the TLS handshake): the rest of the deadline is http's.
                    using HttpResponseMessage tls = SendOnce(new HttpRequestMessage(HttpMethod.Get, new Uri(secure, "v2/")), _options.ConnectTimeout);
                    return _base = Answered(tls, secure);
                }
                catch (Exception e) when (e is HttpRequestException or OperationCanceledException) { /* not https: plain http below */ }
                secure = _endpoint.BaseUri(plainHttp: true);
            }
            using var probe = new HttpRequestMessage(HttpMethod.Get, new Uri(secure, "v2/"));
            using HttpResponseMessage response = SendWithRetries(probe, "API probe /v2/", _options.RequestDeadline - clock.Elapsed);
            return _base = Answered(response, secure);
        }
    }

    private Uri Answered(HttpResponseMessage response, Uri baseUri)
    {
        // 200: no auth; 401: auth needed, answered with the first real request (its scope is the repository's).
        if (response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.Unauthorized)
        {
            if (response.StatusCode == HttpStatusCode.Unauthorized) _auth.Answer(ChallengesOf(response));
            return baseUri;
        }
        throw new RegistryException($"{Name}: {baseUri}v2/ answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}: not an OCI distribution registry?");
    }

    private static List<AuthChallenge> ChallengesOf(HttpResponseMessage response) =>
        response.Headers.WwwAuthenticate.SelectMany(h => AuthChallenge.Parse(h.ToString())).ToList();

    /// <summary>Retries connection failures, timeouts, 429 and 5xx with exponential backoff, all inside the request deadline.</summary>
    private HttpResponseMessage SendWithRetries(HttpRequestMessage template, string what) =>
        SendWithRetries(template, what, _options.RequestDeadline);

    private HttpResponseMessage SendWithRetries(HttpRequestMessage template, string what, TimeSpan deadline)
    {
        var clock = Stopwatch.StartNew();
        TimeSpan backoff = _options.InitialBackoff;
        for (int attempt = 1; ; attempt++)
        {
            TimeSpan left = deadline - clock.Elapsed;
            try
            {
                HttpResponseMessage response = FollowRedirects(template, Min(_options.AttemptTimeout, left));
                if (!IsTransient(response.StatusCode) || attempt >= _options.MaxAttempts || clock.Elapsed + backoff >= deadline)
                    return response;
                if (response.Headers.RetryAfter?.Delta is { } after && after > backoff) backoff = Min(after, TimeSpan.FromSeconds(4));
                response.Dispose();
            }
            catch (HttpRequestException e) when (IsTransient(e))
            {
                string problem = ConnectionProblem(e);
                if (attempt >= _options.MaxAttempts || clock.Elapsed + backoff >= deadline)
                    throw new RegistryException($"{Name}: {what}: {problem} (after {attempt} attempts in {clock.Elapsed.TotalSeconds:0.0} s)");
            }
            catch (HttpRequestException e)
            {
                throw new RegistryException($"{Name}: {what}: {ConnectionProblem(e)}");
            }
            catch (OperationCanceledException)
            {
                if (attempt >= _options.MaxAttempts || clock.Elapsed + backoff >= deadline)
                    throw new RegistryException($"{Name}: {what}: no answer within {clock.Elapsed.TotalSeconds:0.0} s ({attempt} attempts)");
            }
            Thread.Sleep(backoff + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 100)));
            backoff *= 2;
        }
    }

    /// <summary>Sends, following 3xx itself: Authorization only goes to the registry's own scheme, host and port.</summary>
    private HttpResponseMessage FollowRedirects(HttpRequestMessage template, TimeSpan timeout)
    {
        Uri uri = template.RequestUri!;
        Uri origin = template.RequestUri!;
        for (int hop = 0; ; hop++)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, uri);
            foreach (var header in template.Headers)
                if (header.Key != "Authorization") request.Headers.TryAddWithoutValidation(header.Key, header.Value);
            if (template.Headers.Authorization is { } auth && SameOrigin(uri, origin)) request.Headers.Authorization = auth;
            HttpResponseMessage response = SendOnce(request, timeout);
            int status = (int)response.StatusCode;
            if (status is not (301 or 302 or 303 or 307 or 308) || response.Headers.Location is not { } location) return response;
            response.Dispose();
            if (hop >= MaxRedirects) throw new RegistryException($"{Name}: more than {MaxRedirects} redirects from {origin.GetLeftPart(UriPartial.Path)}");
            uri = location.IsAbsoluteUri ? location : new Uri(uri, location);
            if (uri.Scheme is not ("https" or "http")) throw new RegistryException($"{Name}: redirected to a non-http URL ({uri.Scheme}:)");
        }
    }

    private HttpResponseMessage SendOnce(HttpRequestMessage request, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        using (request) return _http.Send(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
    }

    private static bool SameOrigin(Uri a, Uri b) =>
        a.Scheme == b.Scheme && a.Port == b.Port && string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase);

    private static bool IsTransient(HttpStatusCode status) => (int)status is 408 or 429 or 500 or 502 or 503 or 504;

    private static bool IsTransient(HttpRequestException e) =>
        e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.ResponseEnded or HttpRequestError.Unknown;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? (a < TimeSpan.Zero ? TimeSpan.Zero : a) : (b < TimeSpan.Zero ? TimeSpan.Zero : b);

    /// <summary>The socket error in words ("Connection refused"), not a resource key.</summary>
    private string ConnectionProblem(HttpRequestException e)
    {
        for (Exception? inner = e; inner is not null; inner = inner.InnerException)
            if (inner is System.Net.Sockets.SocketException socket) return $"cannot connect to {_endpoint.Host}: {socket.Message}";
        return e.HttpRequestError switch
        {
            HttpRequestError.NameResolutionError => $"cannot resolve the host name {_endpoint.Host}",
            HttpRequestError.SecureConnectionError => $"TLS with {_endpoint.Host} failed (a registry without TLS needs --insecure-registry {_endpoint.Domain})",
            HttpRequestError.ResponseEnded => "the connection closed before the response",
            _ => $"cannot reach {_endpoint.Host} ({e.HttpRequestError})",
        };
    }

    private RegistryException Failure(HttpResponseMessage response, string what)
    {
        string detail = RegistryErrors.Describe(response);
        return (int)response.StatusCode switch
        {
            401 => new RegistryException($"{Name}: {what}: unauthorized{detail}{(_auth.HasCredentials ? "" : $" (not logged in: minirun login{(_endpoint.Domain == DockerHub.Domain ? "" : " " + _endpoint.Domain)})")}"),
            403 => new RegistryException($"{Name}: {what}: access denied{detail}"),
            404 => new RegistryException($"{Name}: {what}: not found{detail}"),
            429 => new RegistryException($"{Name}: {what}: too many requests, try again later{detail}"),
            int code => new RegistryException($"{Name}: {what}: HTTP {code} {response.ReasonPhrase}{detail}"),
        };
    }

    public void Dispose() => _http.Dispose();
}
