using System.Diagnostics;
using MiniRun.Explain;
using MiniRun.Native;
using MiniRun.Tests.Rootless;

namespace MiniRun.Tests.Storage;

/// <summary>
/// The btrfs subvolume calls of the seam against the real kernel, each on a btrfs file system of the test's own
/// (<see cref="BtrfsFileSystem"/>), checked with btrfs-progs: what the btrfs storage driver builds on.
/// </summary>
public class BtrfsSubvolumeTests
{
    private readonly ISyscalls _sys = LinuxSyscalls.Instance;

    [BtrfsFact]
    public void CreateSubvolume_OnBtrfs_IsASubvolumeAsBtrfsShowSays()
    {
        using var fs = new BtrfsFileSystem();
        string subvolume = fs.Combine("base"), plain = fs.Combine("plain");
        Directory.CreateDirectory(plain);

        _sys.CreateSubvolume(subvolume);

        Assert.Equal(256UL, Syscalls.LStat(subvolume).Inode);
        Assert.True(BtrfsSubvolumes.IsSubvolume(subvolume));
        Assert.False(BtrfsSubvolumes.IsSubvolume(plain));
        Assert.Empty(Directory.EnumerateFileSystemEntries(subvolume));
        (int status, string output) = Run("btrfs", "subvolume", "show", subvolume);
        Assert.True(status == 0, output);
        Assert.Matches(@"Name:\s+base\n", output);
        Assert.NotEqual(0, Run("btrfs", "subvolume", "show", plain).Status);
        Assert.Contains(" path base\n", Run("btrfs", "subvolume", "list", fs.MountPoint).Output + "\n");
    }

    [BtrfsFact]
    public void IsBtrfs_TheMountAndTheTempDirectory_AsStatSays()
    {
        using var fs = new BtrfsFileSystem();
        string temp = Path.GetTempPath();

        Assert.True(BtrfsSubvolumes.IsBtrfs(fs.MountPoint));
        Assert.Equal(Run("stat", "-f", "-c", "%T", temp).Output.Trim() == "btrfs", BtrfsSubvolumes.IsBtrfs(temp));
    }

    [RootFact]
    public void CreateSubvolume_NotOnBtrfs_FailsWithENOTTYAndSaysSo()
    {
        using var scratch = new TempDirectory("minirun-not-btrfs");
        string tmpfs = scratch.Combine("tmpfs");
        Directory.CreateDirectory(tmpfs);
        Syscalls.Mount("tmpfs", tmpfs, "tmpfs", MountFlags.None, "size=1m"); // surely not btrfs; unmounted by the Dispose

        var e = Assert.Throws<NativeException>(() => _sys.CreateSubvolume(Path.Combine(tmpfs, "sv")));

        Assert.Equal(Errnos.ENOTTY, e.Errno);
        Assert.Contains("not on a btrfs file system", e.Message);
        Assert.False(Directory.Exists(Path.Combine(tmpfs, "sv")));
    }

    [BtrfsFact]
    public void SnapshotSubvolume_Writable_SharesTheFilesThenDiverges()
    {
        using var fs = new BtrfsFileSystem();
        string source = fs.Combine("base"), snapshot = fs.Combine("snap");
        _sys.CreateSubvolume(source);
        Directory.CreateDirectory(Path.Combine(source, "etc"));
        File.WriteAllText(Path.Combine(source, "etc", "hostname"), "base\n");
        File.WriteAllBytes(Path.Combine(source, "big"), new byte[1 << 20]);
        File.CreateSymbolicLink(Path.Combine(source, "link"), "etc/hostname");

        _sys.SnapshotSubvolume(source, snapshot, readOnly: false);

        Assert.True(BtrfsSubvolumes.IsSubvolume(snapshot));
        Assert.False(BtrfsSubvolumes.IsReadOnly(snapshot));
        Assert.Equal("base\n", File.ReadAllText(Path.Combine(snapshot, "etc", "hostname")));
        Assert.Equal("etc/hostname", new FileInfo(Path.Combine(snapshot, "link")).LinkTarget);
        // Copy-on-write: the megabyte is the source's extent, shared, not a copy (btrfs filesystem du: "Exclusive" 0).
        Assert.Matches(@"\n\s+\S+\s+0\.00B\s+\S+\s+\S+/snap\n", Run("btrfs", "filesystem", "du", "-s", snapshot).Output);

        File.WriteAllText(Path.Combine(snapshot, "etc", "hostname"), "snap\n");
        File.WriteAllText(Path.Combine(snapshot, "new"), "only here\n");
        File.Delete(Path.Combine(snapshot, "big"));

        Assert.Equal("base\n", File.ReadAllText(Path.Combine(source, "etc", "hostname")));
        Assert.False(File.Exists(Path.Combine(source, "new")));
        Assert.Equal(1 << 20, new FileInfo(Path.Combine(source, "big")).Length);
        Assert.Equal("snap\n", File.ReadAllText(Path.Combine(snapshot, "etc", "hostname")));
    }

    [BtrfsFact]
    public void SnapshotSubvolume_ReadOnly_RefusesWritesWithEROFSUntilMadeWritable()
    {
        using var fs = new BtrfsFileSystem();
        string source = fs.Combine("base"), snapshot = fs.Combine("layer");
        _sys.CreateSubvolume(source);
        File.WriteAllText(Path.Combine(source, "f"), "x");

        _sys.SnapshotSubvolume(source, snapshot, readOnly: true);

        Assert.True(BtrfsSubvolumes.IsReadOnly(snapshot));
        Assert.Contains("ro=true", Run("btrfs", "property", "get", snapshot, "ro").Output);
        Assert.Equal("x", File.ReadAllText(Path.Combine(snapshot, "f")));
        Assert.Equal(Errnos.EROFS, Assert.Throws<NativeException>(() => Syscalls.TryMakeDirectory(Path.Combine(snapshot, "d"), 0x1ed)).Errno);
        Assert.Equal(Errnos.EROFS, Assert.Throws<NativeException>(() => Syscalls.Unlink(Path.Combine(snapshot, "f"))).Errno);
        Assert.False(BtrfsSubvolumes.IsReadOnly(source));

        _sys.SetSubvolumeReadOnly(snapshot, false);
        Assert.True(Syscalls.TryMakeDirectory(Path.Combine(snapshot, "d"), 0x1ed));
        _sys.SetSubvolumeReadOnly(snapshot, true);
        Assert.Contains("ro=true", Run("btrfs", "property", "get", snapshot, "ro").Output);
    }

    [BtrfsFact]
    public void SnapshotSubvolume_ExistingDestination_FailsWithEEXIST()
    {
        using var fs = new BtrfsFileSystem();
        _sys.CreateSubvolume(fs.Combine("base"));
        Directory.CreateDirectory(fs.Combine("taken"));

        var e = Assert.Throws<NativeException>(() => _sys.SnapshotSubvolume(fs.Combine("base"), fs.Combine("taken"), readOnly: false));

        Assert.Equal(Errnos.EEXIST, e.Errno);
        Assert.Contains(fs.Combine("taken"), e.Message);
    }

    [BtrfsFact]
    public void DeleteSubvolume_WritableAndReadOnly_AreGoneWithWhatTheyHeld()
    {
        using var fs = new BtrfsFileSystem();
        string source = fs.Combine("base"), readOnly = fs.Combine("ro");
        _sys.CreateSubvolume(source);
        Directory.CreateDirectory(Path.Combine(source, "a", "b"));
        File.WriteAllText(Path.Combine(source, "a", "b", "f"), "x");
        _sys.SnapshotSubvolume(source, readOnly, readOnly: true);

        Assert.True(_sys.DeleteSubvolume(source));
        Assert.True(_sys.DeleteSubvolume(readOnly));

        Assert.False(Directory.Exists(source));
        Assert.False(Directory.Exists(readOnly));
        Assert.DoesNotContain(" path ", Run("btrfs", "subvolume", "list", fs.MountPoint).Output);
        Assert.False(_sys.DeleteSubvolume(source)); // nothing there any more
        Assert.False(_sys.DeleteSubvolume(fs.Combine("missing", "sv")));
    }

    [BtrfsFact]
    public void Explain_SubvolumeCalls_PrintTheBtrfsCommandsAndAreDone()
    {
        using var fs = new BtrfsFileSystem();
        string source = fs.Combine("base"), snapshot = fs.Combine("snap"), layer = fs.Combine("layer");
        var text = new StringWriter();
        var sys = new NarratingSyscalls(_sys, text);

        sys.CreateSubvolume(source);
        sys.SnapshotSubvolume(source, snapshot, readOnly: false);
        sys.SnapshotSubvolume(source, layer, readOnly: true);
        sys.SetSubvolumeReadOnly(layer, false);
        sys.DeleteSubvolume(snapshot);

        string[] commands = text.ToString().Split('\n').Where(l => l.StartsWith("+ ", StringComparison.Ordinal)).ToArray();
        Assert.Equal([
            $"+ btrfs subvolume create {source} >/dev/null",
            $"+ btrfs subvolume snapshot {source} {snapshot} >/dev/null",
            $"+ btrfs subvolume snapshot -r {source} {layer} >/dev/null",
            $"+ btrfs property set {layer} ro false",
            $"+ btrfs subvolume delete {snapshot} >/dev/null",
        ], commands);
        Assert.True(BtrfsSubvolumes.IsSubvolume(source));
        Assert.False(BtrfsSubvolumes.IsReadOnly(layer));
        Assert.False(Directory.Exists(snapshot));
    }

    /// <summary>Without root: the explained calls reach the seam behind, and print as the dry run does, quoted.</summary>
    [Fact]
    public void Explain_SubvolumeCalls_AreTheDryRunsCommandsQuoted()
    {
        string Print(bool dryRun, RecordingSyscalls kernel)
        {
            var text = new StringWriter();
            ISyscalls sys = dryRun ? new DryRunSyscalls(text, kernel) : new NarratingSyscalls(kernel, text);
            sys.CreateSubvolume("/s/a b");
            sys.SnapshotSubvolume("/s/a b", "/s/it's", readOnly: true);
            sys.SetSubvolumeReadOnly("/s/it's", false);
            sys.DeleteSubvolume("/s/a b");
            return text.ToString().Replace("\n+ ", "\n");
        }
        var recorded = new RecordingSyscalls();

        string explained = Print(dryRun: false, recorded), dryRun = Print(dryRun: true, new RecordingSyscalls());

        Assert.Equal(explained, dryRun);
        Assert.Contains("\nbtrfs subvolume snapshot -r '/s/a b' '/s/it'\\''s' >/dev/null\n", dryRun);
        Assert.Contains("\nbtrfs property set '/s/it'\\''s' ro false\n", dryRun);
        Assert.Equal(["btrfs-create /s/a b", "btrfs-snapshot -r /s/a b /s/it's", "btrfs-readonly /s/it's False", "btrfs-delete /s/a b"], recorded.Calls);
    }

    [BtrfsFact]
    public void DryRun_SubvolumeCalls_DoNothing_AndTheScriptMakesWhatTheCallsWould()
    {
        using var fs = new BtrfsFileSystem();
        string source = fs.Combine("base"), snapshot = fs.Combine("snap"), layer = fs.Combine("layer");
        _sys.CreateSubvolume(source);
        File.WriteAllText(Path.Combine(source, "f"), "x");
        var text = new StringWriter();
        var sys = new DryRunSyscalls(text, _sys);

        sys.SnapshotSubvolume(source, snapshot, readOnly: false);
        sys.SnapshotSubvolume(source, layer, readOnly: true);
        sys.DeleteSubvolume(snapshot);

        Assert.False(Directory.Exists(snapshot));
        Assert.False(Directory.Exists(layer));
        Assert.NotNull(sys.LStat(Path.Combine(layer, "f"))); // the dry run answers as if the snapshot were there
        Assert.Null(sys.LStat(Path.Combine(snapshot, "f")));
        (int status, string output) = Run("bash", "-e", "-c", text.ToString());
        Assert.True(status == 0, output);
        Assert.True(BtrfsSubvolumes.IsReadOnly(layer));
        Assert.Equal("x", File.ReadAllText(Path.Combine(layer, "f")));
        Assert.False(Directory.Exists(snapshot));
    }

    /// <summary>
    /// Rootless stores: an ordinary user (a thread of this process that became one) creates and snapshots subvolumes of
    /// their own, not another's; deleting is refused them by ioctl without user_subvol_rm_allowed, so the call empties
    /// and rmdir()s the subvolume instead: it works either way, read-only or not.
    /// </summary>
    [BtrfsFact]
    public void SubvolumeCalls_AsAnOrdinaryUser_WorkOnTheirOwnSubvolumes()
    {
        foreach (string? options in (string?[])[null, "user_subvol_rm_allowed"])
        {
            using var fs = new BtrfsFileSystem(options);
            RootlessUsers.EnsureCreated();
            (int uid, int gid) = RootlessUsers.Ids(RootlessUsers.WithRange);
            string home = fs.Combine("home"), roots = fs.Combine("roots");
            Directory.CreateDirectory(home);
            Syscalls.LChown(home, uid, gid);
            _sys.CreateSubvolume(roots);
            string source = Path.Combine(home, "base"), snapshot = Path.Combine(home, "snap"), layer = Path.Combine(home, "layer"), probe = Path.Combine(home, "probe");

            AsUser(uid, gid, () =>
            {
                _sys.CreateSubvolume(source);
                Directory.CreateDirectory(Path.Combine(source, "d"));
                File.WriteAllText(Path.Combine(source, "d", "f"), "x");
                _sys.SnapshotSubvolume(source, snapshot, readOnly: false);
                _sys.SnapshotSubvolume(source, layer, readOnly: true);
                _sys.SnapshotSubvolume(source, probe, readOnly: false);
                Assert.Equal(Errnos.EPERM, Assert.Throws<NativeException>(() => _sys.SnapshotSubvolume(roots, Path.Combine(home, "stolen"), false)).Errno);
            });
            // The ioctl itself, as btrfs-progs makes it: refused an ordinary user unless the mount allows it.
            (int status, string output) = Run("runuser", "-u", RootlessUsers.WithRange, "--", "btrfs", "subvolume", "delete", probe);
            Assert.True(options is null ? status != 0 && output.Contains("Operation not permitted") : status == 0, output);
            AsUser(uid, gid, () =>
            {
                Assert.Equal(options is null, _sys.DeleteSubvolume(probe));
                Assert.True(_sys.DeleteSubvolume(snapshot));
                Assert.True(_sys.DeleteSubvolume(layer));
                Assert.True(_sys.DeleteSubvolume(source));
            });

            Assert.Equal(options is not null, fs.MountOptions.Contains("user_subvol_rm_allowed"));
            Assert.Empty(Directory.EnumerateFileSystemEntries(home));
            Assert.True(BtrfsSubvolumes.IsSubvolume(roots));
        }
    }

    /// <summary>The fixture leaves nothing behind, even after a test that failed with a file still open in it.</summary>
    [BtrfsFact]
    public void BtrfsFileSystem_DisposedWithAFileOpen_LeavesNoMountLoopDeviceOrImage()
    {
        var fs = new BtrfsFileSystem();
        string image = fs.ImagePath, scratch = Path.GetDirectoryName(image)!;
        string loop = File.ReadAllLines("/proc/self/mounts").Select(l => l.Split(' ')).First(f => f[1] == fs.MountPoint)[0];
        Assert.StartsWith("/dev/loop", loop);
        var open = new FileStream(fs.Combine("open"), FileMode.CreateNew);
        try
        {
            fs.Dispose();

            Assert.DoesNotContain(File.ReadAllLines("/proc/self/mounts"), l => l.Contains(scratch, StringComparison.Ordinal));
            Assert.False(Directory.Exists(scratch));
        }
        finally
        {
            open.Dispose();
        }
        // The loop device lets the image go when its last user does (autoclear): here, at once.
        string backing = $"/sys/block/{Path.GetFileName(loop)}/loop/backing_file";
        for (int i = 0; i < 100 && File.Exists(backing) && File.ReadAllText(backing).Contains(image, StringComparison.Ordinal); i++) Thread.Sleep(20);
        Assert.False(File.Exists(backing) && File.ReadAllText(backing).Contains(image, StringComparison.Ordinal), $"{loop} still holds {image}");
    }

    /// <summary>Runs <paramref name="body"/> on a thread of its own that has become uid/gid (the ids are per thread: setresuid(2) raw).</summary>
    private static void AsUser(int uid, int gid, Action body)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                Syscalls.SetGroups([]);
                Syscalls.SetIds((uint)uid, (uint)gid);
                body();
            }
            catch (Exception e) { failure = e; }
        });
        thread.Start();
        thread.Join();
        if (failure is not null) throw new AggregateException(failure);
    }

    private static (int Status, string Output) Run(params string[] argv)
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
