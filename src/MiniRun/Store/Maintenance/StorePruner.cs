using System.Globalization;
using System.Text.RegularExpressions;
using MiniRun.Containers;
using MiniRun.Images;
using MiniRun.Native;
using MiniRun.Networking;
using MiniRun.Volumes;

namespace MiniRun.Store.Maintenance;

/// <summary>What a prune removed and how many bytes that freed.</summary>
public sealed record PruneReport(List<string> Containers, List<string> Images, List<string> Layers, List<string> Recovered, long ReclaimedBytes)
{
    /// <summary>The user-defined networks removed (`system prune`), by name.</summary>
    public List<string> Networks { get; } = [];
    /// <summary>The volumes removed (`system prune --volumes`, `volume prune`).</summary>
    public List<string> Volumes { get; } = [];
    /// <summary>Names taken off the images that `prune -a` deleted (Docker's "untagged:" lines).</summary>
    public List<string> Untagged { get; } = [];
    /// <summary>What could not go, and why: a mount point under it, whose files are not the store's.</summary>
    public List<string> Left { get; } = [];
}

/// <summary>
/// `system prune`, `container prune` and `image prune`: removes stopped containers (dead ones too, killing what their
/// vanished runner left running), user-defined networks no container is attached to (`system prune`), dangling images (no name, no container; with <c>allImages</c> every image no
/// container uses), unused layers, and recovers from crashes: overlay mounts under the store that no running container
/// owns, and tmp/ work (half-created containers, layers, images) whose creator is gone.
/// </summary>
public sealed partial class StorePruner(ImageStore images, ContainerStore containers)
{
    private StorePaths Paths => containers.Paths;

    /// <summary>Everything: containers, unused networks, crash leftovers, images, layers.</summary>
    public PruneReport Prune(bool allImages = false)
    {
        using FileLock storeLock = Paths.LockExclusive(); // see StorePaths.LockShared
        var report = new PruneReport([], [], [], [], 0);
        long reclaimed = RemoveStoppedContainers(report) + RemoveUnusedNetworks(report) + Recover(report) + RemoveUnusedImages(report, allImages);
        return report with { ReclaimedBytes = reclaimed };
    }

    /// <summary>`container prune`: the stopped containers only.</summary>
    public PruneReport PruneContainers()
    {
        using FileLock storeLock = Paths.LockExclusive();
        var report = new PruneReport([], [], [], [], 0);
        return report with { ReclaimedBytes = RemoveStoppedContainers(report) };
    }

    /// <summary>`image prune`: dangling images (every unused one with <paramref name="all"/>) and the layers left unused.</summary>
    public PruneReport PruneImages(bool all)
    {
        using FileLock storeLock = Paths.LockExclusive();
        var report = new PruneReport([], [], [], [], 0);
        return report with { ReclaimedBytes = RemoveUnusedImages(report, all) };
    }

    /// <summary>`volume prune` (and `system prune --volumes`): the volumes no container mounts, anonymous ones only unless <paramref name="all"/>.</summary>
    public PruneReport PruneVolumes(VolumeStore volumes, bool all)
    {
        using FileLock storeLock = Paths.LockExclusive();
        var report = new PruneReport([], [], [], [], 0);
        return report with { ReclaimedBytes = RemoveUnusedVolumes(report, volumes, all) };
    }

    /// <summary>`system prune --volumes`: everything, and the anonymous volumes no container mounts once the stopped ones are gone.</summary>
    public PruneReport Prune(VolumeStore volumes, bool allImages)
    {
        using FileLock storeLock = Paths.LockExclusive();
        var report = new PruneReport([], [], [], [], 0);
        long reclaimed = RemoveStoppedContainers(report) + RemoveUnusedNetworks(report) + Recover(report) + RemoveUnusedVolumes(report, volumes, all: false)
                         + RemoveUnusedImages(report, allImages);
        return report with { ReclaimedBytes = reclaimed };
    }

    private long RemoveUnusedVolumes(PruneReport report, VolumeStore volumes, bool all)
    {
        HashSet<string> used = VolumeStore.InUse(containers.List().Select(c => c.Record));
        long reclaimed = 0;
        foreach (VolumeRecord volume in volumes.List().Where(v => (all || v.Anonymous) && !used.Contains(v.Name)))
        {
            reclaimed += StoreUsage.DirectorySize(volume.Mountpoint);
            volumes.Remove(volume.Name);
            report.Volumes.Add(volume.Name);
        }
        return reclaimed;
    }

    private long RemoveStoppedContainers(PruneReport report)
    {
        long reclaimed = 0;
        foreach (Container container in containers.List())
        {
            ContainerStatus status = containers.Observe(container);
            if (status.Running || status.Restarting) continue; // a restarting one is Docker's running too
            if (status.Pid > 0) containers.Kill(container, Signal.Kill); // orphans of a runner killed with SIGKILL
            reclaimed += new ContainerSnapshotter(images.Layers).WritableSize(container);
            try { containers.Remove(container); }
            catch (MountPointInTheWayException e)
            {
                report.Left.Add(e.Message);
                continue;
            }
            report.Containers.Add(container.Id);
        }
        return reclaimed;
    }

    /// <summary>As docker system prune (its network prune): every user-defined network no container is attached to once the stopped ones are gone.</summary>
    private long RemoveUnusedNetworks(PruneReport report)
    {
        (List<string> removed, var failed) = new NetworkStore(Paths).PruneUnused();
        report.Networks.AddRange(removed);
        report.Left.AddRange(failed.Select(f => $"network {f.Network.Name}: {f.Error.Message}"));
        return 0;
    }

    private long Recover(PruneReport report)
    {
        long reclaimed = 0;
        HashSet<string> running = containers.List().Where(containers.IsRunning).Select(c => c.MergedDir).ToHashSet(StringComparer.Ordinal);
        foreach (string mount in MountsUnder(Paths.Root).Where(m => m.EndsWith("/merged", StringComparison.Ordinal) && !running.Contains(m)).OrderByDescending(m => m.Length))
        {
            Syscalls.TryUnmount(mount, UnmountFlags.Detach);
            report.Recovered.Add("unmounted " + mount);
        }
        foreach (string entry in Directory.Exists(Paths.Temp) ? Directory.EnumerateFileSystemEntries(Paths.Temp).ToList() : [])
        {
            if (!IsAbandoned(entry)) continue;
            reclaimed += StoreUsage.DirectorySize(entry);
            if (TryDelete(entry, report.Left)) report.Recovered.Add("removed " + entry);
        }
        return reclaimed;
    }

    private long RemoveUnusedImages(PruneReport report, bool all)
    {
        long reclaimed = 0;
        HashSet<string> usedImages = containers.List().Select(c => c.Record.ImageId).ToHashSet(StringComparer.Ordinal);
        foreach (ImageRecord image in images.List().Where(i => (all || i.Names.Count == 0) && !usedImages.Contains(i.Id.ToString())))
        {
            ImageRemoval removal = images.Delete(image.Id, removeUnusedLayers: false);
            report.Untagged.AddRange(removal.Untagged);
            report.Images.Add(image.Id.ToString());
        }
        HashSet<Digest> usedLayers = images.List().SelectMany(i => i.DiffIds)
            .Concat(containers.List().SelectMany(c => c.Record.Layers.Select(l => Digest.Parse(l, c.Id)))).ToHashSet();
        foreach (Layers.Layer layer in images.Layers.List().Where(l => !usedLayers.Contains(l.DiffId)).ToList())
        {
            reclaimed += layer.Size;
            images.Layers.Remove(layer.DiffId);
            report.Layers.Add(layer.DiffId.ToString());
        }
        images.Layers.Trees?.Prune(images.List().Select(i => i.DiffIds));
        return reclaimed;
    }

    /// <summary>tmp/ work whose creating process is gone; renamed-for-deletion leftovers; anything else an hour old.</summary>
    internal static bool IsAbandoned(string entry)
    {
        string name = Path.GetFileName(entry);
        Match owner = TempOwner().Match(name);
        if (owner.Success)
            return !new HostProcess(int.Parse(owner.Groups[1].Value, CultureInfo.InvariantCulture), long.Parse(owner.Groups[2].Value, CultureInfo.InvariantCulture)).IsAlive;
        if (name.StartsWith("removing-", StringComparison.Ordinal) || name.StartsWith("remove-", StringComparison.Ordinal)
            || name.StartsWith("deleted-image-", StringComparison.Ordinal))
            return true;
        return DateTime.UtcNow - File.GetLastWriteTimeUtc(entry) > TimeSpan.FromHours(1);
    }

    /// <param name="left">where a removal stopped at a mount point says so (else it is only false).</param>
    internal static bool TryDelete(string entry, List<string>? left = null)
    {
        try
        {
            foreach (string mount in MountsUnder(entry).OrderByDescending(m => m.Length)) Syscalls.TryUnmount(mount, UnmountFlags.Detach);
            // Never across a mount point, should one be left or come back: its files are not the store's.
            if (BtrfsSubvolumes.IsSubvolume(entry)) BtrfsSubvolumes.TryDelete(entry); // a btrfs tree left half-made, maybe read-only
            else if (Syscalls.TryLStat(entry) is { IsDirectory: true }) DirectoryTree.Remove(entry);
            else File.Delete(entry);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NativeException) { return false; } // another process is deleting it
        catch (MountPointInTheWayException e)
        {
            left?.Add(e.Message);
            return false;
        }
    }

    /// <summary>Mount points at or below <paramref name="root"/> (proc(5) /proc/self/mounts, octal escapes decoded).</summary>
    public static List<string> MountsUnder(string root) =>
        File.ReadLines("/proc/self/mounts")
            .Select(line => line.Split(' ')[1].Replace("\\040", " ").Replace("\\011", "\t").Replace("\\134", "\\"))
            .Where(target => target == root || target.StartsWith(root + "/", StringComparison.Ordinal))
            .Distinct().ToList();

    [GeneratedRegex(@"^[a-z-]+-(\d+)\.(\d+)-[0-9a-f]{32}$")]
    private static partial Regex TempOwner();
}
