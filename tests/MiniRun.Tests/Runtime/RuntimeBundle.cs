using System.Text.Json;
using System.Text.Json.Nodes;
using MiniRun.Fixtures;

namespace MiniRun.Tests.Runtime;

/// <summary>
/// A bundle of a busybox root made in a test, driven as an engine drives runc (`create` with its stdio in a file,
/// `start`, `state`, `delete`), with its own state root; disposed, it deletes what it created and removes itself.
/// </summary>
internal sealed class RuntimeBundle : IDisposable
{
    private readonly TempDirectory _temp = new("minirun-bundle");
    private readonly List<string> _created = [];

    public RuntimeBundle(string script, Action<JsonNode>? edit = null)
    {
        Directory.CreateDirectory(Path);
        BusyboxRootfs.CopyTo(System.IO.Path.Combine(Path, "rootfs"));
        Assert.Equal(0, Runtime("spec", "--bundle", Path).ExitCode);
        JsonNode json = JsonNode.Parse(File.ReadAllText(Config))!;
        json["process"]!["args"] = new JsonArray("sh", "-c", script);
        edit?.Invoke(json);
        File.WriteAllText(Config, json.ToJsonString());
    }

    public string StateRoot => _temp.Combine("state");
    public string Path => _temp.Combine("bundle");
    private string Config => System.IO.Path.Combine(Path, "config.json");
    public string Output => File.Exists(OutFile) ? File.ReadAllText(OutFile) : "";
    private string OutFile => System.IO.Path.Combine(Path, "out.txt");

    public ExternalCommand.Result Runtime(params string[] args) =>
        ExternalCommand.Run(MiniRunCli.BinaryPath, ["runtime", "--root", StateRoot, .. args], TimeSpan.FromSeconds(30));

    /// <summary>create with its stdout and stderr appended to out.txt, as a shim gives it fifos: the parked process keeps them.</summary>
    public ExternalCommand.Result Create(string id)
    {
        _created.Add(id);
        return ExternalCommand.Run("sh", ["-c", $"exec \"$0\" runtime --root \"$1\" create --bundle \"$2\" \"$3\" >>\"$2/out.txt\" 2>&1",
            MiniRunCli.BinaryPath, StateRoot, Path, id], TimeSpan.FromSeconds(30));
    }

    public string Status(string id) => JsonDocument.Parse(Runtime("state", id).Stdout).RootElement.GetProperty("status").GetString()!;

    /// <summary>Create, start, wait until the process has exited: its output (create's failure message included).</summary>
    public string RunToCompletion(string id)
    {
        if (Create(id).ExitCode != 0) return Output;
        Assert.Equal(0, Runtime("start", id).ExitCode);
        WaitFor(() => Status(id) == "stopped");
        return Output;
    }

    public static void WaitFor(Func<bool> condition)
    {
        for (int i = 0; i < 200 && !condition(); i++) Thread.Sleep(50);
        Assert.True(condition());
    }

    public void Dispose()
    {
        foreach (string id in _created) Runtime("delete", "--force", id);
        _temp.Dispose();
    }
}
