using MiniRun.Containers;
using MiniRun.Native;

namespace MiniRun.Volumes;

/// <summary>
/// Docker's copy of the image's files into an empty volume, the first time it is mounted: a volume mounted on the
/// image's /var/lib/data starts with what the image has there (unless volume-nocopy). Done from the host before the
/// container starts, on the merged root that nothing runs in yet; a path of the image that goes through a symbolic
/// link is not followed (it could lead anywhere on the host) and seeds nothing.
/// </summary>
public static class VolumeSeeder
{
    public static void Seed(ContainerRecord record, string mergedDir)
    {
        foreach (ContainerMount mount in record.Mounts)
        {
            if (mount.Type != ContainerMount.Volume || mount.NoCopy) continue;
            if (Directory.EnumerateFileSystemEntries(mount.Source).Any()) continue; // only an empty volume is seeded
            if (InImage(mergedDir, mount.Destination) is not { } from) continue;
            Copy(from, mount.Source);
        }
    }

    /// <summary>The destination in the merged root when it is a directory reached through no symbolic link; else null.</summary>
    private static string? InImage(string mergedDir, string destination)
    {
        string path = mergedDir;
        foreach (string part in destination.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            path = Path.Combine(path, part);
            if (Syscalls.TryLStat(path) is not { IsDirectory: true }) return null;
        }
        return path;
    }

    /// <summary>cp -a of a directory's contents: modes, owners, symbolic links as links; device nodes and sockets left out.</summary>
    private static void Copy(string from, string to)
    {
        FileStatus top = Syscalls.TryLStat(from)!;
        Syscalls.LChown(to, (int)top.Uid, (int)top.Gid);
        Syscalls.Chmod(to, top.Permissions);
        foreach (string entry in Directory.EnumerateFileSystemEntries(from))
        {
            string target = Path.Combine(to, Path.GetFileName(entry));
            if (Syscalls.TryLStat(entry) is not { } status) continue;
            if (status.IsSymlink) Syscalls.Symlink(Syscalls.TryReadLink(entry)!, target);
            else if (status.IsDirectory)
            {
                Syscalls.MakeDirectory(target, 0x1c0);
                Copy(entry, target);
                continue;
            }
            else if (status.IsRegular) File.Copy(entry, target);
            else if (status.Type == Syscalls.S_IFIFO) Syscalls.MakeNode(target, Syscalls.S_IFIFO | 0x180);
            else continue;
            Syscalls.LChown(target, (int)status.Uid, (int)status.Gid);
            if (!status.IsSymlink) Syscalls.Chmod(target, status.Permissions);
        }
    }
}
