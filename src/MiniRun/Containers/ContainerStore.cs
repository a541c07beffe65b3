using MiniRun.Common;
using System.Text.Json;
using MiniRun.Native;
using MiniRun.Sandbox.Cgroups;
using MiniRun.Sandbox;
using MiniRun.Store;

namespace MiniRun.Containers;

/// <summary>
/// Container directories under <c>containers/</c>. A container is assembled under <c>tmp/</c> and renamed into place,
/// so a crash leaves either nothing or a whole container (containerd's snapshotter does the same).
/// </summary>
public sealed class ContainerStore(StorePaths paths)
{
    public StorePaths Paths { get; } = paths;

    private string LockPath => Path.Combine(Paths.Containers, ".lock");

    private ContainerNameIndex Names { get; } = new(paths);

    /// <summary>
    /// Creates the container's directories, record, state and init layer; names are unique. A generated name
    /// (<paramref name="nameIsGenerated"/>) that another container took meanwhile is replaced instead of refused.
    /// </summary>
    /// <param name="prepare">makes the container's directories in the (new, empty) staging directory it is given.</param>
    /// <param name="sys">the seam the rename into containers/ goes through (--explain shows it).</param>
    public Container Create(ContainerRecord record, Action<string> prepare, bool nameIsGenerated = false, ISyscalls? sys = null)
    {
        string staging = Paths.NewTempDirectory("container");
        try
        {
            prepare(staging);
            Syscalls.WriteNewFile(Path.Combine(staging, "state.json"), ContainerJsonWriter.Write(new ContainerState()));
            CrashPoint.Reach("container-staged");

            using var _ = FileLock.Exclusive(LockPath);
            Names.EnsureBuilt(List);
            for (int retry = 1; nameIsGenerated && Names.IsTaken(record.Name); retry++)
                record = record with { Name = ContainerNames.Generate(retry) };
            if (Names.IsTaken(record.Name))
                throw new MiniRunException($"the container name \"{record.Name}\" is already in use: remove that container or choose another --name");
            // Written under the lock: the name in the record is the one that was checked.
            Syscalls.WriteNewFile(Path.Combine(staging, StorePaths.ContainerRecordFile), ContainerJsonWriter.Write(record));
            string target = Path.Combine(Paths.Containers, record.Id);
            Names.Reserve(record.Name, record.Id); // before the container appears: a crash in between leaves a free name
            if (!(sys ?? LinuxSyscalls.Instance).RenameNoReplace(staging, target))
            {
                Names.Release(record.Name, record.Id);
                throw new MiniRunException($"container {record.Id} already exists");
            }
            CrashPoint.Reach("container-created");
            return At(target, record);
        }
        catch
        {
            if (Directory.Exists(staging)) DirectoryTree.Remove(staging);
            throw;
        }
    }

    private static bool IsFullId(string text) => text.Length == 64 && text.All(char.IsAsciiHexDigitLower);

    /// <summary>64 hex digits of kernel randomness, as Docker's container IDs.</summary>
    public static string NewId()
    {
        Span<byte> bytes = stackalloc byte[32];
        Syscalls.FillRandom(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    public IReadOnlyList<Container> List()
    {
        if (!Directory.Exists(Paths.Containers)) return [];
        var result = new List<Container>();
        foreach (string dir in Directory.EnumerateDirectories(Paths.Containers))
            if (!Path.GetFileName(dir).StartsWith('.') && TryOpen(dir) is { } container) result.Add(container); // one being removed meanwhile is simply gone
        return result.OrderByDescending(c => c.Record.Created).ToList();
    }

    /// <summary>By name, full ID or unique ID prefix, as Docker resolves containers.</summary>
    public Container? TryResolve(string nameOrId)
    {
        // The usual cases without reading every record: a full ID, or a name through the index.
        if (IsFullId(nameOrId) && TryOpen(Path.Combine(Paths.Containers, nameOrId)) is { } byId) return byId;
        string name = nameOrId.TrimStart('/');
        if (ContainerNames.IsValid(name) && Names.TryGetId(name) is { } named
            && TryOpen(Path.Combine(Paths.Containers, named)) is { } byName && byName.Name == name)
            return byName;
        IReadOnlyList<Container> all = List();
        Container? exact = all.FirstOrDefault(c => c.Name == name || c.Id == nameOrId);
        if (exact is not null) return exact;
        var byPrefix = all.Where(c => c.Id.StartsWith(nameOrId, StringComparison.Ordinal)).ToList();
        if (byPrefix.Count > 1) throw new MiniRunException($"container ID prefix \"{nameOrId}\" is ambiguous: give more characters");
        return byPrefix.SingleOrDefault();
    }

    public Container Resolve(string nameOrId) =>
        TryResolve(nameOrId) ?? throw new NotFoundException($"No such container: {nameOrId}");

    /// <summary>The recorded state; "removing" when a concurrent `rm` took the container away since it was listed.</summary>
    public ContainerState ReadState(Container container)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(container.StatePath), ContainerJsonContext.Default.ContainerState) ?? new ContainerState();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return new ContainerState { Status = StateStatus.Removing };
        }
    }

    public void WriteState(Container container, ContainerState state) =>
        AtomicFile.WriteAllBytes(container.StatePath, ContainerJsonWriter.Write(state), durable: false);

    /// <summary>
    /// The recorded state checked against the kernel: "running" only while its runner (the process that will record
    /// the exit) is alive; a "running" record whose runner is gone (killed with SIGKILL) is "dead", as Docker calls a
    /// container whose state it cannot vouch for.
    /// </summary>
    public ContainerStatus Observe(Container container)
    {
        ContainerState state = ReadState(container);
        var runner = new HostProcess(state.RunnerPid, state.RunnerStartTicks);
        var init = new HostProcess(state.Pid, state.PidStartTicks);
        return state.Status switch
        {
            StateStatus.Running when runner.IsAlive => new ContainerStatus(StateStatus.Running, state, state.Pid)
            {
                Paused = File.Exists(Path.Combine(container.Directory, PausedMark)),
            },
            StateStatus.Running => new ContainerStatus(StateStatus.Dead, state, init.IsAlive ? state.Pid : 0),
            StateStatus.Restarting when runner.IsAlive => new ContainerStatus(StateStatus.Restarting, state, 0),
            StateStatus.Restarting => new ContainerStatus(StateStatus.Exited, state, 0), // its supervisor is gone: nothing will restart it
            _ => new ContainerStatus(state.Status, state, 0),
        };
    }

    /// <summary>True while the container's init process is alive and its runner waits for it.</summary>
    public bool IsRunning(Container container) => Observe(container).Running;

    /// <summary>
    /// Sends <paramref name="signal"/> to the container's PID 1 (kill(2)); false when it has none. A paused container
    /// is thawed after the signal, as Docker's kill does: a frozen process acts on no signal, not even SIGKILL's.
    /// Sent by the user, it is first remembered for the restart policy (<see cref="ManualStop"/>); a container waiting to
    /// restart has nothing to signal, and its supervisor, told so, gives up: true, as Docker's kill of a restarting one.
    /// </summary>
    public bool Signal(Container container, Signal signal)
    {
        bool cancels = ManualStop.Record(container, signal);
        ContainerStatus status = Observe(container);
        bool restarting = status.Restarting;
        // Its supervisor gives up within a nap of its back-off, unless it was already starting the container: that one gets the signal.
        for (var clock = System.Diagnostics.Stopwatch.StartNew(); cancels && status.Restarting && clock.Elapsed < TimeSpan.FromSeconds(5); status = Observe(container))
            Thread.Sleep(20);
        if (restarting && status.Pid == 0) return true;
        bool sent = status.Pid > 0 && Syscalls.Kill(status.Pid, signal);
        if (status.Paused) Unpause(container);
        return sent;
    }

    /// <summary>The mark of a paused container, in its directory: removed by `unpause`, and at the runner's teardown.</summary>
    public const string PausedMark = "paused";

    /// <summary>`pause`: every process of the container frozen (cgroup freezer: v1 freezer.state, v2 cgroup.freeze).</summary>
    public void Pause(Container container)
    {
        ContainerStatus status = Observe(container);
        if (!status.Running) throw new MiniRunException($"Container {container.Id} is not running");
        if (status.Paused) throw new MiniRunException($"Container {container.Id} is already paused");
        ICgroupManager? detected = CgroupDetector.Detect(); // rootless: the delegated group's, if the user has one
        if (detected is null && RootlessMode.Active)
            throw new MiniRunException(ContainerCgroup.Missing("pause", container));
        ICgroupManager cgroups = detected ?? throw new MiniRunException("cannot pause the container: no cgroup filesystem is mounted");
        cgroups.Freeze(CgroupNames.For(container.Id));
        File.WriteAllBytes(Path.Combine(container.Directory, PausedMark), []);
    }

    /// <summary>`unpause`: the container's processes thawed.</summary>
    public void Unpause(Container container)
    {
        string mark = Path.Combine(container.Directory, PausedMark);
        if (!File.Exists(mark) || !Observe(container).Running) throw new MiniRunException($"Container {container.Id} is not paused");
        CgroupDetector.Detect()?.Thaw(CgroupNames.For(container.Id));
        File.Delete(mark);
    }

    /// <summary>Waits until the container is no longer running (its runner has recorded the exit); false on timeout.</summary>
    /// <param name="throughRestarts">wait while it is restarting too (stop, kill: until its supervisor gave up); else a
    /// restart's exit ends the wait, as docker wait returns at each exit.</param>
    public bool WaitUntilStopped(Container container, TimeSpan timeout, bool throughRestarts = false)
    {
        DateTime deadline = timeout == Timeout.InfiniteTimeSpan ? DateTime.MaxValue : DateTime.UtcNow + timeout;
        while (Observe(container) is var status && (status is { Running: true } or { Status: StateStatus.Dead, Pid: > 0 } || (throughRestarts && status.Restarting)))
        {
            if (DateTime.UtcNow >= deadline) return false;
            Thread.Sleep(20);
        }
        return true;
    }

    /// <summary>Sends <paramref name="signal"/> and waits (10 s at most) until the container has stopped.</summary>
    public void Kill(Container container, Signal signal)
    {
        if (Signal(container, signal)) WaitUntilStopped(container, TimeSpan.FromSeconds(10), throughRestarts: true);
    }

    /// <summary>
    /// Tears down and deletes a stopped container (<see cref="ContainerTeardown"/>). The directory is first renamed
    /// under tmp/, so a crash while deleting never leaves a half-deleted container visible.
    /// </summary>
    public void Remove(Container container)
    {
        ContainerStatus status = Observe(container);
        if (status.Restarting) // as Docker refuses it
            throw new MiniRunException($"you cannot remove a restarting container {container.Name}: stop it first (or rm -f)");
        if (status.Running || status.Pid > 0)
            throw new MiniRunException($"container {container.Name} is {status.Status.Name()} with PID {status.Pid}: stop it first (or rm -f)");
        ContainerTeardown.Run(this, container, CgroupDetector.Detect(), delete: true); // its cgroup: gone after the run, not after a crash
    }

    /// <summary>
    /// `rename`: the new name is taken, the record rewritten, the old name freed, under the names' lock, so that no
    /// start takes either name meanwhile. A running container keeps running; its hostname does not change (Docker's).
    /// </summary>
    public void Rename(Container container, string newName)
    {
        if (!ContainerNames.IsValid(newName)) throw new MiniRunException($"Invalid container name ({newName}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
        string oldName = container.Record.Name;
        if (newName == oldName) throw new MiniRunException("Renaming a container with the same name as its current name");
        using var _ = FileLock.Exclusive(LockPath);
        Names.EnsureBuilt(List);
        if (Names.IsTaken(newName))
            throw new MiniRunException($"Conflict. The container name \"/{newName}\" is already in use by container \"{Names.TryGetId(newName)}\". " +
                                       "You have to remove (or rename) that container to be able to reuse that name.");
        Names.Reserve(newName, container.Id);
        AtomicFile.WriteAllBytes(Path.Combine(container.Directory, StorePaths.ContainerRecordFile),
            ContainerJsonWriter.Write(container.Record with { Name = newName }), durable: true);
        Names.Release(oldName, container.Id);
    }

    /// <summary>Rewrites the container's record under the store's lock (`network connect` and `disconnect`); the changed container.</summary>
    public Container Update(Container container, Func<ContainerRecord, ContainerRecord> change)
    {
        using var _ = FileLock.Exclusive(LockPath);
        ContainerRecord record = change(Open(container.Directory).Record); // the one on disk: a rename meanwhile is kept
        AtomicFile.WriteAllBytes(Path.Combine(container.Directory, StorePaths.ContainerRecordFile), ContainerJsonWriter.Write(record), durable: true);
        return Open(container.Directory);
    }

    /// <summary>
    /// Deletes the directory of a container that is unmounted and has no cgroup (its runner has just torn it down, for
    /// --rm). It is renamed under tmp/ first, so a crash while deleting never leaves a half-deleted container visible.
    /// </summary>
    public void Delete(Container container) => Delete(container.Directory, container.Id, container.Name);

    /// <summary>As <see cref="Delete(Container)"/>, for a directory without a readable record (`system check --repair`).</summary>
    public void DeleteUnreadable(string directory) => Delete(directory, Path.GetFileName(directory), name: null);

    private void Delete(string directory, string id, string? name)
    {
        string doomed = Path.Combine(Paths.Temp, $"removing-{id}");
        Directory.Move(directory, doomed);
        CrashPoint.Reach("container-removing");
        if (name is not null)
            using (FileLock.Exclusive(LockPath)) Names.Release(name, id); // a start may be taking it meanwhile
        ContainerSnapshotter.RemoveDirectory(LinuxSyscalls.Instance, Paths, doomed);
    }

    /// <summary>Names whose link points at no container (a crash between a name's reservation and its container), and
    /// containers whose name has no link (a store written by a minirun that crashed while building the index).</summary>
    public (List<string> Dangling, List<Container> Unindexed) CheckNames(IReadOnlyList<Container> all)
    {
        using var _ = FileLock.Exclusive(LockPath);
        var byName = new Dictionary<string, Container>(StringComparer.Ordinal);
        foreach (Container container in all) byName.TryAdd(container.Name, container);
        var indexed = new HashSet<string>(StringComparer.Ordinal);
        var dangling = new List<string>();
        foreach ((string name, string id) in Names.Entries())
        {
            if (byName.TryGetValue(name, out Container? owner) && owner.Id == id) indexed.Add(name);
            else dangling.Add(name);
        }
        return (dangling, Names.IsBuilt ? all.Where(c => !indexed.Contains(c.Name)).ToList() : []);
    }

    /// <summary>`system check --repair`: drops a name that <see cref="CheckNames"/> found held for no container.</summary>
    public void FreeName(string name)
    {
        using var _ = FileLock.Exclusive(LockPath);
        Names.Remove(name);
    }

    /// <summary>`system check --repair`: links the name of a container that the index lacks (unless another took it).</summary>
    public void RecordName(Container container)
    {
        using var _ = FileLock.Exclusive(LockPath);
        if (!Names.IsTaken(container.Name)) Names.Reserve(container.Name, container.Id);
    }

    /// <summary>The container in <paramref name="dir"/>, or null when its record is missing or unreadable (a crash's leftover).</summary>
    public Container? TryOpen(string dir)
    {
        try { return File.Exists(Path.Combine(dir, StorePaths.ContainerRecordFile)) ? Open(dir) : null; }
        catch (Exception e) when (e is JsonException or IOException or MiniRunException) { return null; }
    }

    private Container Open(string dir)
    {
        ContainerRecord record = JsonSerializer.Deserialize(File.ReadAllBytes(Path.Combine(dir, StorePaths.ContainerRecordFile)), ContainerJsonContext.Default.ContainerRecord)
            ?? throw new MiniRunException($"{dir}/{StorePaths.ContainerRecordFile} is empty");
        return At(dir, record);
    }

    private Container At(string dir, ContainerRecord record) => new(record, dir, Path.GetRelativePath(Paths.Root, dir));
}
