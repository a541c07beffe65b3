using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MiniRun.Fixtures.Registry;

/// <summary>
/// A real distribution registry (Debian's docker-registry) on 127.0.0.1 and a free port, storing under a temp
/// directory; images go in with skopeo. With a login, it wants Basic auth checked against an htpasswd file (bcrypt, made
/// with apache2-utils' htpasswd). Dispose stops it and deletes everything, whatever happened.
/// </summary>
public sealed class LocalRegistry : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();

    public string Directory { get; }
    public int Port { get; }
    /// <summary>"127.0.0.1:PORT": the registry part of a reference.</summary>
    public string Host => $"127.0.0.1:{Port}";
    public string StorageDirectory => Path.Combine(Directory, "storage");

    public static bool IsAvailable => ExternalCommand.IsOnPath("docker-registry") && ExternalCommand.IsOnPath("skopeo");

    /// <summary>True when a registry with a login can be made too (htpasswd writes its bcrypt entry).</summary>
    public static bool CanRequireLogin => IsAvailable && ExternalCommand.IsOnPath("htpasswd");

    /// <summary>The user and password the registry wants, or null when it serves anyone.</summary>
    public (string User, string Password)? Login { get; }

    public LocalRegistry((string User, string Password)? login = null)
    {
        Login = login;
        Directory = Path.Combine(Path.GetTempPath(), $"minirun-registry-{Guid.NewGuid():N}");
        System.IO.Directory.CreateDirectory(StorageDirectory);
        Port = FreePort();
        string config = Path.Combine(Directory, "config.yml");
        string auth = "";
        if (login is { } credentials)
        {
            string htpasswd = Path.Combine(Directory, "htpasswd");
            // -B: bcrypt, the only hash distribution's htpasswd auth accepts.
            File.WriteAllText(htpasswd, ExternalCommand.Check("htpasswd", "-nbB", credentials.User, credentials.Password).Trim() + "\n");
            auth = $"""

                auth:
                  htpasswd:
                    realm: minirun-test
                    path: {htpasswd}
                """;
        }
        // Access log on: the tests count the blob downloads.
        File.WriteAllText(config, $"""
            version: 0.1
            log:
              level: info
              accesslog:
                disabled: false
            storage:
              filesystem:
                rootdirectory: {StorageDirectory}
              delete:
                enabled: true
            http:
              addr: 127.0.0.1:{Port}
            """ + auth);
        var psi = new ProcessStartInfo("docker-registry") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("serve");
        psi.ArgumentList.Add(config);
        _process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start docker-registry");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        try
        {
            WaitUntilServing();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Everything the registry logged so far (access log lines included).</summary>
    public string Log
    {
        get { lock (_log) return _log.ToString(); }
    }

    /// <summary>How many GET requests for this blob the registry answered (its access log).</summary>
    public int BlobGets(string digest) =>
        Log.Split('\n').Count(l => l.Contains("\"GET ", StringComparison.Ordinal) && l.Contains("/blobs/" + digest, StringComparison.Ordinal));

    /// <summary>skopeo copy of an OCI layout into repository:tag (--all for every manifest of an index).</summary>
    public void Push(string ociLayout, string repositoryAndTag, bool all = false)
    {
        var args = new List<string> { "--insecure-policy", "copy", "--quiet", "--dest-tls-verify=false" };
        if (Login is { } login) args.Add($"--dest-creds={login.User}:{login.Password}");
        if (all) args.Add("--all");
        args.Add($"oci:{ociLayout}");
        args.Add($"docker://{Host}/{repositoryAndTag}");
        ExternalCommand.CheckResult(ExternalCommand.Run("skopeo", args, TimeSpan.FromMinutes(2)));
    }

    /// <summary>The digest of the manifest or index a tag points at: the sha256 of the bytes the registry serves.</summary>
    public string DigestOf(string repositoryAndTag)
    {
        int colon = repositoryAndTag.LastIndexOf(':');
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://{Host}/v2/{repositoryAndTag[..colon]}/manifests/{repositoryAndTag[(colon + 1)..]}");
        foreach (string type in new[] { "application/vnd.oci.image.index.v1+json", "application/vnd.oci.image.manifest.v1+json",
                     "application/vnd.docker.distribution.manifest.list.v2+json", "application/vnd.docker.distribution.manifest.v2+json" })
            request.Headers.Accept.Add(new System.Net.Http.Headers.MediaTypeWithQualityHeaderValue(type));
        using HttpResponseMessage response = http.Send(request);
        response.EnsureSuccessStatusCode();
        byte[] body = response.Content.ReadAsByteArrayAsync().GetAwaiter().GetResult();
        return "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(body));
    }

    /// <summary>The file the registry serves a blob from (distribution's filesystem driver layout).</summary>
    public string BlobDataPath(string digest)
    {
        string hex = digest["sha256:".Length..];
        return Path.Combine(StorageDirectory, "docker", "registry", "v2", "blobs", "sha256", hex[..2], hex, "data");
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_log) _log.AppendLine(line);
    }

    private void WaitUntilServing()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (_process.HasExited) throw new InvalidOperationException($"docker-registry exited {_process.ExitCode}: {Log}");
            try
            {
                HttpResponseMessage probe = http.GetAsync($"http://{Host}/v2/").GetAwaiter().GetResult();
                if (probe.IsSuccessStatusCode || (Login is not null && probe.StatusCode == HttpStatusCode.Unauthorized)) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { }
            Thread.Sleep(100);
        }
        throw new TimeoutException($"docker-registry did not answer on {Host} within 20 s: {Log}");
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException) { }
        _process.Dispose();
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (DirectoryNotFoundException) { }
    }
}
