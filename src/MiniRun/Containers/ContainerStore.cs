using System.Security.Cryptography;
using System.Text.Json;
using MiniRun.Native;

namespace MiniRun.Containers;

/// <summary>
/// Container directories under <c>containers/</c>. A container is assembled under <c>tmp/</c> and renamed into place,
/// so a crash leaves either nothing or a whole container (containerd's snapshotter does the same).
/// </summary>
public sealed class ContainerStore(StorePaths paths)
{
    public StorePaths Paths { get; } = paths;

    private string LockPath => Path.Combine(Paths.Containers, ".lock");

    /// <summary>
    /// Creates the container's directories, record, state and init layer; names are unique. A generated name
    /// (<paramref name="nameIsGenerated"/>) that another container took meanwhile is replaced instead of refused.
    /// </summary>
    public Container Create(ContainerRecord record, Action<string> writeInitLayer, bool nameIsGenerated = false)
    {
        string staging = Paths.NewTempDirectory("container");
        try
        {
            foreach (string dir in new[] { "init", "diff", "work", "merged" })
                Directory.CreateDirectory(Path.Combine(staging, dir));
            writeInitLayer(Path.Combine(staging, "init"));
            File.WriteAllBytes(Path.Combine(staging, "state.json"), JsonSerializer.SerializeToUtf8Bytes(new ContainerState(), ContainerJsonContext.Default.ContainerState));

            using var _ = FileLock.Exclusive(LockPath);
            HashSet<string> names = List().Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
            for (int retry = 1; nameIsGenerated && names.Contains(record.Name); retry++)
                record = record with { Name = ContainerNames.Generate(retry) };
            // Written under the lock: the name in the record is the one that was checked.
            File.WriteAllBytes(Path.Combine(staging, "config.json"), JsonSerializer.SerializeToUtf8Bytes(record, ContainerJsonContext.Default.ContainerRecord));
            if (names.Contains(record.Name))
                throw new MiniRunException($"the container name \"{record.Name}\" is already in use: remove that container or choose another --name");
            string target = Path.Combine(Paths.Containers, record.Id);
            if (!Syscalls.TryRenameNoReplace(staging, target))
                throw new MiniRunException($"container {record.Id} already exists");
            return Open(target);
        }
        catch
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
            throw;
        }
    }

    public static string NewId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public IReadOnlyList<Container> List()
    {
        if (!Directory.Exists(Paths.Containers)) return [];
        var result = new List<Container>();
        foreach (string dir in Directory.EnumerateDirectories(Paths.Containers))
        {
            if (!File.Exists(Path.Combine(dir, "config.json"))) continue;
            result.Add(Open(dir));
        }
        return result.OrderByDescending(c => c.Record.Created).ToList();
    }

    /// <summary>By name, full ID or unique ID prefix, as Docker resolves containers.</summary>
    public Container? TryResolve(string nameOrId)
    {
        IReadOnlyList<Container> all = List();
        Container? exact = all.FirstOrDefault(c => c.Name == nameOrId.TrimStart('/') || c.Id == nameOrId);
        if (exact is not null) return exact;
        var byPrefix = all.Where(c => c.Id.StartsWith(nameOrId, StringComparison.Ordinal)).ToList();
        if (byPrefix.Count > 1) throw new MiniRunException($"container ID prefix \"{nameOrId}\" is ambiguous: give more characters");
        return byPrefix.SingleOrDefault();
    }

    public Container Resolve(string nameOrId) =>
        TryResolve(nameOrId) ?? throw new NotFoundException($"no such container: {nameOrId}");

    public ContainerState ReadState(Container container) =>
        JsonSerializer.Deserialize(File.ReadAllBytes(container.StatePath), ContainerJsonContext.Default.ContainerState) ?? new ContainerState();

    public void WriteState(Container container, ContainerState state) =>
        AtomicFile.WriteAllBytes(container.StatePath, JsonSerializer.SerializeToUtf8Bytes(state, ContainerJsonContext.Default.ContainerState), durable: false);

    /// <summary>True while the container's init process is alive.</summary>
    public bool IsRunning(Container container)
    {
        ContainerState state = ReadState(container);
        return state.Status == "running" && state.Pid > 0 && Syscalls.Kill(state.Pid, 0);
    }

    /// <summary>Sends <paramref name="signal"/> to a running container's PID 1 and waits (10 s at most) until its runner has recorded the exit.</summary>
    public void Kill(Container container, int signal)
    {
        int pid = ReadState(container).Pid;
        if (pid <= 0 || !Syscalls.Kill(pid, signal)) return;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (IsRunning(container) && DateTime.UtcNow < deadline) Thread.Sleep(20);
    }

    /// <summary>
    /// Unmounts and deletes a stopped container. The directory is first renamed under tmp/, so a crash while deleting
    /// never leaves a half-deleted container visible.
    /// </summary>
    public void Remove(Container container)
    {
        if (IsRunning(container))
            throw new MiniRunException($"container {container.Name} is running: stop it first");
        OverlayMount.Unmount(container.MergedDir);
        string doomed = Path.Combine(Paths.Temp, $"removing-{container.Id}");
        Directory.Move(container.Directory, doomed);
        Directory.Delete(doomed, recursive: true);
    }

    private Container Open(string dir)
    {
        ContainerRecord record = JsonSerializer.Deserialize(File.ReadAllBytes(Path.Combine(dir, "config.json")), ContainerJsonContext.Default.ContainerRecord)
            ?? throw new MiniRunException($"{dir}/config.json is empty");
        return new Container(record, dir, Path.GetRelativePath(Paths.Root, dir));
    }
}
