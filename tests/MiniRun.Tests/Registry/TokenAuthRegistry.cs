using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using MiniRun.Fixtures.Registry;

namespace MiniRun.Tests.Registry;

/// <summary>
/// A tiny registry (HttpListener on 127.0.0.1) that does what Docker Hub does and docker-registry cannot without a
/// PKI: 401 + Bearer challenge, a token server that checks Basic credentials, blobs redirected to another host
/// (a "CDN" on another port) — and it fails each blob's first request with 503, to exercise retries.
/// </summary>
internal sealed class TokenAuthRegistry : IDisposable
{
    public const string User = "learner";
    public const string Password = "s3cret";
    private const string Token = "token-for-test-auth";
    private readonly HttpListener _api = new();
    private readonly HttpListener _cdn = new();
    private readonly Dictionary<string, (byte[] Bytes, string Type)> _manifests = [];
    private readonly Dictionary<string, byte[]> _blobs = [];
    private readonly ConcurrentDictionary<string, int> _blobRequests = new();
    private readonly CancellationTokenSource _stop = new();

    public int Port { get; } = LocalRegistry.FreePort();
    public int CdnPort { get; } = LocalRegistry.FreePort();
    public string Host => $"127.0.0.1:{Port}";
    /// <summary>Authorization headers the CDN received (must stay empty).</summary>
    public ConcurrentBag<string> CdnAuthorizations { get; } = [];
    public int TokensIssued;
    public int TokenRefusals;

    public TokenAuthRegistry(string ociLayout, string repository, string tag)
    {
        JsonNode entry = JsonNode.Parse(File.ReadAllText(Path.Combine(ociLayout, "index.json")))!["manifests"]![0]!;
        string digest = (string)entry["digest"]!;
        byte[] manifest = File.ReadAllBytes(Path.Combine(ociLayout, "blobs", "sha256", digest[7..]));
        _manifests[$"/v2/{repository}/manifests/{tag}"] = (manifest, (string)entry["mediaType"]!);
        foreach (string blob in Directory.EnumerateFiles(Path.Combine(ociLayout, "blobs", "sha256")))
            _blobs["sha256:" + Path.GetFileName(blob)] = File.ReadAllBytes(blob);
        _api.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _cdn.Prefixes.Add($"http://127.0.0.1:{CdnPort}/");
        _api.Start();
        _cdn.Start();
        _ = Task.Run(() => Serve(_api, Api));
        _ = Task.Run(() => Serve(_cdn, Cdn));
    }

    public int BlobRequests(string digest) => _blobRequests.GetValueOrDefault(digest);

    private async Task Serve(HttpListener listener, Action<HttpListenerContext> handle)
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try { context = await listener.GetContextAsync(); }
            catch (Exception) { return; }
            _ = Task.Run(() =>
            {
                try { handle(context); }
                catch (Exception) { context.Response.StatusCode = 500; }
                finally { try { context.Response.Close(); } catch (Exception) { } }
            });
        }
    }

    private void Api(HttpListenerContext context)
    {
        HttpListenerRequest request = context.Request;
        HttpListenerResponse response = context.Response;
        string path = request.Url!.AbsolutePath;
        if (path == "/token")
        {
            string expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}"));
            if (request.Headers["Authorization"] != expected || request.QueryString["scope"] != "repository:test/auth:pull" || request.QueryString["service"] != "test-registry")
            {
                Interlocked.Increment(ref TokenRefusals);
                response.StatusCode = 401;
                return;
            }
            Interlocked.Increment(ref TokensIssued);
            Write(response, Encoding.UTF8.GetBytes($"{{\"token\":\"{Token}\"}}"), "application/json");
            return;
        }
        if (request.Headers["Authorization"] != "Bearer " + Token)
        {
            response.StatusCode = 401;
            response.AddHeader("WWW-Authenticate", $"Bearer realm=\"http://127.0.0.1:{Port}/token\",service=\"test-registry\",scope=\"repository:test/auth:pull\"");
            Write(response, Encoding.UTF8.GetBytes("{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}"), "application/json");
            return;
        }
        if (path == "/v2/")
        {
            Write(response, Encoding.UTF8.GetBytes("{}"), "application/json");
            return;
        }
        if (_manifests.TryGetValue(path, out var manifest))
        {
            Write(response, manifest.Bytes, manifest.Type);
            return;
        }
        int blobs = path.IndexOf("/blobs/", StringComparison.Ordinal);
        if (blobs > 0 && _blobs.ContainsKey(path[(blobs + 7)..]))
        {
            string digest = path[(blobs + 7)..];
            if (_blobRequests.AddOrUpdate(digest, 1, (_, n) => n + 1) == 1)
            {
                response.StatusCode = 503; // transient: the client must retry
                return;
            }
            response.StatusCode = 307;
            response.RedirectLocation = $"http://127.0.0.1:{CdnPort}/cdn/{digest}";
            return;
        }
        response.StatusCode = 404;
        Write(response, Encoding.UTF8.GetBytes("{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\"}]}"), "application/json");
    }

    private void Cdn(HttpListenerContext context)
    {
        if (context.Request.Headers["Authorization"] is { } auth) CdnAuthorizations.Add(auth);
        string digest = context.Request.Url!.AbsolutePath["/cdn/".Length..];
        Write(context.Response, _blobs[digest], "application/octet-stream");
    }

    private static void Write(HttpListenerResponse response, byte[] body, string type)
    {
        response.ContentType = type;
        response.ContentLength64 = body.Length;
        response.OutputStream.Write(body);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _api.Close();
        _cdn.Close();
        _stop.Dispose();
    }
}
