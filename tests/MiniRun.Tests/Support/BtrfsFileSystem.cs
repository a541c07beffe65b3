using System.Diagnostics;

namespace MiniRun.Tests.Support;

/// <summary>
/// A btrfs file system of the test's own: a sparse image file in a scratch directory, made by mkfs.btrfs and
/// loop-mounted there; Dispose unmounts it, lets the loop device go and deletes the file, pass or fail. Nothing of
/// the machine's own disks is formatted or mounted. Tests that use it are <see cref="BtrfsFactAttribute"/>s.
/// </summary>
public sealed class BtrfsFileSystem : IDisposable
{
    /// <summary>Sparse: only what btrfs writes takes space. mkfs.btrfs refuses less than 114294784 bytes (btrfs-progs 6.2).</summary>
    public const long ImageSize = 256L << 20;

    private readonly TempDirectory _scratch;
    private readonly string _image;

    /// <summary>The image file the file system lives in.</summary>
    public string ImagePath => _image;

    /// <summary>Where the file system is mounted: its top-level subvolume (inode 256), owned by root, mode 0755.</summary>
    public string MountPoint { get; }

    /// <param name="options">mount options besides loop (user_subvol_rm_allowed), comma-separated.</param>
    public BtrfsFileSystem(string? options = null)
    {
        _scratch = new TempDirectory("minirun-btrfs");
        _image = _scratch.Combine("btrfs.img");
        MountPoint = _scratch.Combine("mnt");
        try
        {
            using (FileStream image = File.Create(_image)) image.SetLength(ImageSize);
            Run("mkfs.btrfs", "-q", _image);
            Directory.CreateDirectory(MountPoint);
            // mount -o loop attaches a loop device with autoclear: it detaches itself at the unmount.
            Run("mount", "-t", "btrfs", "-o", options is null ? "loop" : "loop," + options, _image, MountPoint);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Combine(params string[] parts) => Path.Combine([MountPoint, .. parts]);

    /// <summary>The mount options the kernel reports for it (/proc/self/mounts), e.g. "rw,relatime,…,user_subvol_rm_allowed,…".</summary>
    public string MountOptions =>
        File.ReadAllLines("/proc/self/mounts").Select(l => l.Split(' ')).First(f => f[1] == MountPoint)[3];

    public void Dispose()
    {
        try
        {
            if (File.ReadAllLines("/proc/self/mounts").Any(l => l.Split(' ')[1] == MountPoint))
            {
                try
                {
                    MiniRun.Native.Syscalls.TryUnmount(MountPoint); // not lazy: the loop device is released now
                }
                catch (MiniRun.Native.NativeException e) when (e.Errno == MiniRun.Native.Errnos.EBUSY)
                {
                    // A failed test left a file open in it: detached now, the loop device goes with the last user.
                    MiniRun.Native.Syscalls.TryUnmount(MountPoint, MiniRun.Native.UnmountFlags.Detach);
                }
            }
            // A loop device left attached to the image (a mount that failed half-way): detach it.
            foreach (string device in Output("losetup", "--noheadings", "--output", "NAME", "--associated", _image).Split('\n', StringSplitOptions.RemoveEmptyEntries))
                Output("losetup", "--detach", device.Trim());
        }
        finally
        {
            _scratch.Dispose(); // a mount still there is detached lazily, then the image file is deleted
        }
    }

    private static void Run(params string[] argv)
    {
        (int code, string output) = Execute(argv);
        if (code != 0) throw new InvalidOperationException($"{string.Join(' ', argv)}: exit {code}: {output}");
    }

    private static string Output(params string[] argv) => Execute(argv).Output;

    private static (int Code, string Output) Execute(string[] argv)
    {
        var psi = new ProcessStartInfo(argv[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in argv[1..]) psi.ArgumentList.Add(arg);
        using Process process = Process.Start(psi)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output + stderr.Result);
    }
}
