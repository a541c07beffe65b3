using System.Security.Cryptography;
using MiniRun.Containers;
using MiniRun.Images;
using MiniRun.Layers;
using MiniRun.Native;
using MiniRun.Sandbox;
using MiniRun.Sandbox.Cgroups;

namespace MiniRun.Store.Maintenance;

/// <summary>
/// `system check [--repair]`: verifies the store as a crash could have left it. Work in tmp/ whose creator is gone,
/// stale unpack locks, containers whose minirun was killed (their process, mount and cgroup), layers (complete,
/// short link right, files unchanged since publishing), names pointing at images that exist, images whose config
/// matches their ID and whose layers are all there, and layers no image or container uses. --repair removes what
/// an interrupted command left and unmounts/kills what it abandoned; it never touches what a live command is doing
/// (it holds the store lock exclusively, and tmp/ work of a live process is left alone).
/// </summary>
public sealed class StoreChecker(ImageStore images, ContainerStore containers, bool repair)
{
    private StorePaths Paths => containers.Paths;
    private LayerStore Layers => images.Layers;
    private readonly List<StoreFinding> _findings = [];

    public StoreCheckReport Check()
    {
        using FileLock storeLock = Paths.LockExclusive();
        int format = StoreFormat.TryRead(Paths) ?? StoreFormat.Unversioned; // opening the store (the lock) has migrated it
        CheckTemp();
        CheckLocks();
        int containerCount = CheckContainers();
        int layerCount = CheckLayers();
        CheckShortLinks();
        CheckNames();
        int imageCount = CheckImages();
        CheckUnusedLayers();
        return new StoreCheckReport(_findings.ToList(), format, layerCount, imageCount, containerCount);
    }

    private void CheckTemp()
    {
        foreach (string entry in Directory.EnumerateFileSystemEntries(Paths.Temp).Order(StringComparer.Ordinal).ToList())
            if (StorePruner.IsAbandoned(entry))
                Report($"tmp/{Path.GetFileName(entry)}: left by an interrupted command", () => StorePruner.TryDelete(entry), "removed");
    }

    /// <summary>Under the exclusive store lock nobody unpacks (loads, imports and commits hold it shared): any lock file is stale.</summary>
    private void CheckLocks()
    {
        foreach (string entry in Directory.EnumerateFileSystemEntries(Paths.Locks).Order(StringComparer.Ordinal).ToList())
            Report($"locks/{Path.GetFileName(entry)}: stale unpack lock", () => File.Delete(entry), "removed");
    }

    private int CheckContainers()
    {
        int count = 0;
        var owned = new HashSet<string>(StringComparer.Ordinal);
        var all = new List<Container>();
        foreach (string dir in Directory.EnumerateDirectories(Paths.Containers).Order(StringComparer.Ordinal).ToList())
        {
            if (Path.GetFileName(dir) == ContainerNameIndex.DirectoryName) continue; // the names, checked below
            if (containers.TryOpen(dir) is not { } container)
            {
                Report($"containers/{Path.GetFileName(dir)}: incomplete container (no readable config.v2.json)", () => ContainerTeardown.RunUnreadable(containers, dir), "removed");
                continue;
            }
            count++;
            all.Add(container);
            ContainerState state = containers.ReadState(container);
            owned.Add(container.MergedDir);
            if (container.Record.Namespaces.IpcShareable) owned.Add(ContainerIpc.ShmDirectory(container.Directory)); // its /dev/shm while it runs
            if (state.RunnerPid > 0 && new HostProcess(state.RunnerPid, state.RunnerStartTicks).IsAlive)
            {
                owned.Add(ContainerNetworking.NamespacePath(container.Directory)); // its network namespace, while it runs
                continue; // running or starting now
            }

            CheckContainerLayers(container);
            if (state.Status == StateStatus.Running || state.RunnerPid > 0)
                Report($"container {container.Name}: its minirun was killed while it {state.Status switch { StateStatus.Running => "ran", StateStatus.Restarting => "waited to restart", _ => "started" }}",
                    () => Reap(container, state), "stopped and torn down (exit 137)");
            // A stopped container's overlay may be mounted on purpose (`minirun mount`): not a finding.
            if (LeftoverCgroup(container.Id) is { } cgroup)
                Report($"container {container.Name}: cgroup {cgroup} left behind", () => CgroupDetector.Detect()?.Remove(CgroupNames.For(container.Id)), "removed");
        }
        CheckNetworkAttachments(all);
        (List<string> dangling, List<Container> unindexed) = containers.CheckNames(all);
        foreach (string name in dangling)
            Report($"containers/{ContainerNameIndex.DirectoryName}/{name}: a name held for no container", () => containers.FreeName(name), "freed");
        foreach (Container container in unindexed)
            Report($"container {container.Name}: its name is missing from containers/{ContainerNameIndex.DirectoryName}", () => containers.RecordName(container), "recorded");
        foreach (string mount in StorePruner.MountsUnder(Paths.Root).Where(m => !owned.Contains(m)).OrderByDescending(m => m.Length))
            Report($"{Path.GetRelativePath(Paths.Root, mount)}: mounted, and no container owns it", () => Syscalls.TryUnmount(mount, UnmountFlags.Detach), "unmounted");
        return count;
    }

    /// <summary>
    /// Kept CNI results of a container that does not run (a DEL that failed, or a container directory removed by hand):
    /// its address, veth and rules are still held. --repair runs the DEL again with the kept config and result.
    /// </summary>
    private void CheckNetworkAttachments(List<Container> all)
    {
        Dictionary<string, Container> byId = all.ToDictionary(c => c.Id, StringComparer.Ordinal);
        foreach (string id in new Networking.NetworkStore(Paths).Results.Containers())
        {
            if (byId.TryGetValue(id, out Container? container))
            {
                ContainerState state = containers.ReadState(container);
                if (state.RunnerPid > 0) continue; // running, or its killed runner is reaped above (its teardown releases the network)
            }
            string name = container?.Name ?? $"{id[..Math.Min(12, id.Length)]} (removed)";
            string directory = container?.Directory ?? Path.Combine(Paths.Containers, id);
            Report($"container {name}: its network attachment was not released (kept CNI results)",
                () => ContainerNetworking.Release(Paths, id, directory), "released (CNI DEL)");
        }
    }

    private void CheckContainerLayers(Container container)
    {
        foreach (string layer in container.Record.Layers)
            if (!Digest.TryParse(layer, out Digest diffId) || Layers.TryGet(diffId) is null)
                Report($"container {container.Name}: its layer {layer} is missing (remove the container)", null, "");
    }

    /// <summary>What the killed runner would have done: kill what is left of the container, unmount, record the exit.</summary>
    private void Reap(Container container, ContainerState state)
    {
        if (state.Pid > 0 && new HostProcess(state.Pid, state.PidStartTicks).IsAlive)
        {
            Syscalls.Kill(state.Pid, Signal.Kill);
            for (int i = 0; i < 500 && new HostProcess(state.Pid, state.PidStartTicks).IsAlive; i++) Thread.Sleep(20);
        }
        ContainerTeardown.Run(containers, container, CgroupDetector.Detect(), delete: false);
        state.Status = StateStatus.Exited;
        state.ExitCode = 137;
        state.Error = "minirun was killed while the container ran; `system check --repair` stopped it";
        state.Pid = state.RunnerPid = 0;
        state.FinishedAt = DateTimeOffset.UtcNow;
        containers.WriteState(container, state);
    }

    private static string? LeftoverCgroup(string containerId)
    {
        ICgroupManager? cgroups = CgroupDetector.Detect();
        return cgroups?.Directories(CgroupNames.For(containerId)).FirstOrDefault(Directory.Exists);
    }

    private int CheckLayers()
    {
        int count = 0;
        foreach (string entry in Directory.EnumerateFileSystemEntries(Paths.Layers).Order(StringComparer.Ordinal).ToList())
        {
            string name = Path.GetFileName(entry);
            if (!Digest.TryParse("sha256:" + name, out Digest diffId) || Syscalls.TryLStat(entry) is not { IsDirectory: true })
            {
                Report($"layers/{name}: not a layer", () => DeleteEntry(entry), "removed");
                continue;
            }
            if (Layers.TryGet(diffId) is not { } layer)
            {
                Report($"layers/{name}: incomplete layer (no link file)", () => DeleteEntry(entry), "removed");
                continue;
            }
            count++;
            if (Layers.VerifyContent(layer) == false)
                Report($"layer {diffId}: its files changed since it was stored (rmi the images that use it, then load them again)", null, "");
            string link = Path.Combine(Paths.Root, layer.ShortLink);
            if (Syscalls.TryLStat(link) is not { IsSymlink: true } || new FileInfo(link).LinkTarget != LayerStore.ShortLinkTarget(diffId))
                Report($"{layer.ShortLink}: short link of layer {diffId} is missing or wrong", () => Layers.RelinkShortId(layer), "recreated");
        }
        return count;
    }

    private void CheckShortLinks()
    {
        HashSet<string> valid = Layers.List().Select(l => Path.GetFileName(l.ShortLink)).ToHashSet(StringComparer.Ordinal);
        foreach (string entry in Directory.EnumerateFileSystemEntries(Paths.Links).Order(StringComparer.Ordinal).ToList())
            if (!valid.Contains(Path.GetFileName(entry)))
                Report($"l/{Path.GetFileName(entry)}: points at no layer", () => DeleteEntry(entry), "removed");
    }

    private void CheckNames()
    {
        SortedDictionary<string, string> names;
        try
        {
            names = images.ReadNames();
        }
        catch (InvalidInputException e)
        {
            Report($"repositories.json: {e.Message}", () => images.ReplaceNames(new SortedDictionary<string, string>(StringComparer.Ordinal)),
                "replaced by an empty one (tag the images again)");
            return;
        }
        var kept = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach ((string name, string target) in names)
        {
            if (Digest.TryParse(target, out Digest id) && ImageDirectoryIsValid(id)) kept[name] = target;
            else Report($"name {name}: points at {target}, which is not in the store", null, "removed");
        }
        if (kept.Count != names.Count && repair) images.ReplaceNames(kept);
    }

    private int CheckImages()
    {
        int count = 0;
        foreach (string dir in Directory.EnumerateFileSystemEntries(Paths.Images).Order(StringComparer.Ordinal).ToList())
        {
            string name = Path.GetFileName(dir);
            if (!Digest.TryParse("sha256:" + name, out Digest id) || !ImageDirectoryIsValid(id))
            {
                Report($"images/{name}: not a complete image (config.json missing or not matching the ID)", () => RemoveImage(dir, id), "removed");
                continue;
            }
            count++;
            ImageRecord image;
            try
            {
                image = images.TryGet(id)!;
            }
            catch (InvalidInputException e)
            {
                Report($"image {id}: {e.Message}", () => RemoveImage(dir, id), "removed");
                continue;
            }
            if (image.DiffIds.Where(d => Layers.TryGet(d) is null).Select(d => d.ToString()).FirstOrDefault() is { } missing)
                Report($"image {id}: its layer {missing} is missing", () => RemoveImage(dir, id), "removed (load it again)");
        }
        return count;
    }

    private void CheckUnusedLayers()
    {
        HashSet<Digest> used = images.List().SelectMany(i => i.DiffIds)
            .Concat(containers.List().SelectMany(c => c.Record.Layers).Select(l => Digest.TryParse(l, out Digest d) ? d : (Digest?)null).OfType<Digest>())
            .ToHashSet();
        foreach (Layer layer in Layers.List().Where(l => !used.Contains(l.DiffId)).ToList())
            Report($"layer {layer.DiffId}: no image or container uses it (left by an interrupted load)", () => Layers.Remove(layer.DiffId), "removed");
    }

    private bool ImageDirectoryIsValid(Digest id)
    {
        string config = Path.Combine(Paths.Images, id.Hex, "config.json");
        if (!File.Exists(config)) return false;
        return Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(config))) == id.Hex;
    }

    private void RemoveImage(string dir, Digest id)
    {
        SortedDictionary<string, string> names = images.ReadNames();
        if (names.Any(kv => kv.Value == id.ToString()))
            images.ReplaceNames(new SortedDictionary<string, string>(names.Where(kv => kv.Value != id.ToString()).ToDictionary(), StringComparer.Ordinal));
        DeleteEntry(dir);
    }

    /// <summary>Renamed into tmp/ first, as every deletion in the store: a crash mid-delete leaves nothing half-visible.</summary>
    private void DeleteEntry(string entry)
    {
        if (Syscalls.TryLStat(entry) is not { IsDirectory: true })
        {
            File.Delete(entry);
            return;
        }
        string doomed = Path.Combine(Paths.Temp, $"remove-{Guid.NewGuid():N}");
        Directory.Move(entry, doomed);
        DirectoryTree.Remove(doomed); // never across a mount point
    }

    /// <summary>Records a finding; with --repair and a fix, applies it (a failed fix is reported, never thrown).</summary>
    private void Report(string problem, Action? fix, string repaired)
    {
        if (!repair || (fix is null && repaired.Length == 0))
        {
            _findings.Add(new StoreFinding(problem, null));
            return;
        }
        try
        {
            fix?.Invoke();
            _findings.Add(new StoreFinding(problem, repaired));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or MiniRunException)
        {
            _findings.Add(new StoreFinding(problem, "repair failed: " + UserMessages.OneLine(UserMessages.Describe(e))));
        }
    }
}
