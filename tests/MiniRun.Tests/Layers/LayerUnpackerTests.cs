using MiniRun.Fixtures.Tar;
using MiniRun.Layers;
using MiniRun.Native;

namespace MiniRun.Tests.Layers;

public class LayerUnpackerTests
{
    private static readonly DateTimeOffset Old = new(2001, 2, 3, 4, 5, 6, TimeSpan.Zero);

    private static (TempDirectory Temp, string Target, long Size) Unpack(byte[] tar)
    {
        var temp = new TempDirectory();
        string target = temp.Combine("target");
        Directory.CreateDirectory(target);
        long size = new LayerUnpacker(target, "test.tar").Unpack(new MemoryStream(tar));
        return (temp, target, size);
    }

    private static FileStatus Stat(string target, string relative) => Syscalls.LStat(Path.Combine(target, relative));

    [RootFact]
    public void Unpack_EveryEntryType_CreatesItWithOwnerModeAndTime()
    {
        byte[] tar = new TarBuilder()
            .Directory("bin", mtime: Old)
            .File("bin/busybox", "ELF", mode: "0755", uid: 1000, gid: 1001, mtime: Old)
            .Symlink("bin/sh", "/bin/busybox", uid: 5, gid: 6, mtime: Old)
            .HardLink("bin/ls", "bin/busybox")
            .Fifo("run/fifo", mode: "0620", uid: 7, gid: 8)
            .CharDevice("dev/null", 1, 3, mode: "0666")
            .BlockDevice("dev/loop9", 7, 9, mode: "0660", gid: 6)
            .ToArray();

        var (temp, target, size) = Unpack(tar);
        using (temp)
        {
            Assert.Equal(3 + "/bin/busybox".Length, size); // a symlink counts its target's length, as overlay2's layer size
            FileStatus busybox = Stat(target, "bin/busybox");
            Assert.Equal(((uint)Syscalls.S_IFREG, 0x1EDu, 1000u, 1001u, 2u), (busybox.Type, busybox.Permissions, busybox.Uid, busybox.Gid, busybox.LinkCount));
            Assert.Equal(Old, busybox.Modified);
            Assert.Equal("ELF", File.ReadAllText(Path.Combine(target, "bin/busybox")));
            FileStatus sh = Stat(target, "bin/sh");
            Assert.True(sh.IsSymlink);
            Assert.Equal((5u, 6u), (sh.Uid, sh.Gid));
            Assert.Equal(Old, sh.Modified);
            Assert.Equal("/bin/busybox", new FileInfo(Path.Combine(target, "bin/sh")).LinkTarget);
            Assert.Equal(busybox.Inode, Stat(target, "bin/ls").Inode);
            FileStatus fifo = Stat(target, "run/fifo");
            Assert.Equal(((uint)Syscalls.S_IFIFO, 0x190u, 7u, 8u), (fifo.Type, fifo.Permissions, fifo.Uid, fifo.Gid));
            FileStatus nul = Stat(target, "dev/null");
            Assert.Equal(((uint)Syscalls.S_IFCHR, 0x1B6u, 1u, 3u), (nul.Type, nul.Permissions, nul.RdevMajor, nul.RdevMinor));
            FileStatus loop = Stat(target, "dev/loop9");
            Assert.Equal(((uint)Syscalls.S_IFBLK, 0x1B0u, 7u, 9u, 6u), (loop.Type, loop.Permissions, loop.RdevMajor, loop.RdevMinor, loop.Gid));
            Assert.Equal(Old, Stat(target, "bin").Modified);
        }
    }

    /// <summary>Files are created owned by minirun and chowned only when that differs; a setgid target would make it differ.</summary>
    [RootFact]
    public void Unpack_IntoSetgidDirectory_GivesEveryFileItsOwnGroup()
    {
        using var temp = new TempDirectory();
        string target = temp.Combine("target");
        Directory.CreateDirectory(target);
        Syscalls.LChown(target, 0, 4242);
        Syscalls.Chmod(target, 0x5ED); // 02755
        byte[] tar = new TarBuilder().File("a", "x").Directory("d").File("d/b", "y").File("d/c", "z", gid: 7).ToArray();

        new LayerUnpacker(target, "test.tar").Unpack(new MemoryStream(tar));

        Assert.Equal([0u, 0u, 0u, 7u], new[] { "a", "d", "d/b", "d/c" }.Select(p => Stat(target, p).Gid));
    }

    [RootFact]
    public void Unpack_SetuidSetgidStickyWithOwner_KeepsSpecialBits()
    {
        byte[] tar = new TarBuilder()
            .File("usr/bin/passwd", "x", mode: "4755", uid: 0, gid: 0)
            .File("usr/bin/wall", "x", mode: "2755", uid: 0, gid: 5)
            .File("usr/bin/userprog", "x", mode: "6750", uid: 1000, gid: 1000)
            .Directory("tmp", mode: "1777")
            .Directory("srv/shared", mode: "2775", gid: 50)
            .ToArray();

        var (temp, target, _) = Unpack(tar);
        using (temp)
        {
            Assert.Equal(0x9EDu, Stat(target, "usr/bin/passwd").Permissions);
            Assert.Equal(0x5EDu, Stat(target, "usr/bin/wall").Permissions);
            Assert.Equal((0xDE8u, 1000u), (Stat(target, "usr/bin/userprog").Permissions, Stat(target, "usr/bin/userprog").Uid));
            Assert.Equal(0x3FFu, Stat(target, "tmp").Permissions);
            Assert.Equal((0x5FDu, 50u), (Stat(target, "srv/shared").Permissions, Stat(target, "srv/shared").Gid));
        }
    }

    [RootFact]
    public void Unpack_SecurityCapabilityOnOwnedFile_RoundTripsByteExact()
    {
        byte[] tar = new TarBuilder()
            .File("bin/ping", "ELF", mode: "0755", uid: 0, gid: 0).Xattr("security.capability", TarArchiveReaderTests.CapabilityBlob)
            .Directory("etc", uid: 3, gid: 3).Xattr("user.note", [0xff, 0x00, 0xfe])
            .ToArray();

        var (temp, target, _) = Unpack(tar);
        using (temp)
        {
            Assert.Equal(TarArchiveReaderTests.CapabilityBlob, Syscalls.GetXattr(Path.Combine(target, "bin/ping"), "security.capability"));
            Assert.Equal(new byte[] { 0xff, 0x00, 0xfe }, Syscalls.GetXattr(Path.Combine(target, "etc"), "user.note"));
        }
    }

    [RootFact]
    public void Unpack_Whiteout_IsCharDevice00OwnedByEntryOwner()
    {
        byte[] tar = new TarBuilder().Directory("etc").Whiteout("etc/motd", uid: 12, gid: 34).Whiteout("gone").ToArray();

        var (temp, target, _) = Unpack(tar);
        using (temp)
        {
            FileStatus motd = Stat(target, "etc/motd");
            Assert.True(motd.IsWhiteout);
            Assert.Equal((12u, 34u), (motd.Uid, motd.Gid));
            Assert.True(Stat(target, "gone").IsWhiteout);
            Assert.False(File.Exists(Path.Combine(target, "etc/.wh.motd")));
        }
    }

    [RootFact]
    public void Unpack_OpaqueMarker_SetsOverlayOpaqueOnItsDirectoryWhereverItAppears()
    {
        byte[] tar = new TarBuilder()
            .Directory("before").Opaque("before")
            .Opaque("after").Directory("after", mode: "0700")
            .Opaque("implied/deep")
            .File(".wh..wh.plnk/123.456", "aufs hard link store")
            .ToArray();

        var (temp, target, _) = Unpack(tar);
        using (temp)
        {
            foreach (string dir in new[] { "before", "after", "implied/deep" })
                Assert.Equal("y"u8.ToArray(), Syscalls.GetXattr(Path.Combine(target, dir), "trusted.overlay.opaque"));
            Assert.Equal(0x1C0u, Stat(target, "after").Permissions);
            Assert.False(File.Exists(Path.Combine(target, "before/.wh..wh..opq")));
            Assert.False(Directory.Exists(Path.Combine(target, ".wh..wh.plnk")));
        }
    }

    [RootFact]
    public void Unpack_ForgedOverlayXattr_IsDropped()
    {
        byte[] tar = new TarBuilder().Directory("d").Xattr("trusted.overlay.redirect", "/etc").ToArray();

        var (temp, target, _) = Unpack(tar);
        using (temp) Assert.Null(Syscalls.GetXattr(Path.Combine(target, "d"), "trusted.overlay.redirect"));
    }

    /// <summary>A rootless overlay (userxattr) reads user.overlay.*: an image may not forge those either (an opaque
    /// marker hiding the lower layers, a redirect).</summary>
    [RootFact]
    public void Unpack_ForgedUserOverlayXattr_IsDropped()
    {
        byte[] tar = new TarBuilder().Directory("d").Xattr("user.overlay.opaque", "y").Xattr("user.other", "kept").ToArray();

        var (temp, target, _) = Unpack(tar);
        using (temp)
        {
            Assert.Null(Syscalls.GetXattr(Path.Combine(target, "d"), "user.overlay.opaque"));
            Assert.Equal("kept"u8.ToArray(), Syscalls.GetXattr(Path.Combine(target, "d"), "user.other"));
        }
    }

    [RootFact]
    public void Unpack_HardLinks_ShareOneInodeWithRightLinkCount()
    {
        byte[] tar = new TarBuilder()
            .File("a", "shared", mode: "0751", uid: 9)
            .HardLink("b", "a").HardLink("dir/c", "./a").Symlink("s", "a").HardLink("s2", "s")
            .ToArray();

        var (temp, target, size) = Unpack(tar);
        using (temp)
        {
            Assert.Equal(6 + 1, size); // hard links count once; the symlink s counts its target "a"
            Assert.Equal(3u, Stat(target, "a").LinkCount);
            Assert.Equal(Stat(target, "a").Inode, Stat(target, "dir/c").Inode);
            Assert.True(Stat(target, "s2").IsSymlink); // a hard link to a symlink links the symlink, never its target
            Assert.Equal(2u, Stat(target, "s").LinkCount);
        }
    }

    [RootFact]
    public void Unpack_DirectoryTimesAndModes_AreRestoredAfterTheirContent()
    {
        byte[] tar = new TarBuilder()
            .Directory("a", mode: "0555", mtime: Old)
            .Directory("a/b", mode: "0500", mtime: Old.AddDays(1))
            .File("a/b/f", "x", mtime: Old.AddDays(2))
            .File("a/g", "x")
            .Directory("./", mode: "0711", mtime: Old.AddDays(3))
            .ToArray();

        var (temp, target, _) = Unpack(tar);
        using (temp)
        {
            Assert.Equal((0x16Du, Old), (Stat(target, "a").Permissions, Stat(target, "a").Modified));
            Assert.Equal((0x140u, Old.AddDays(1)), (Stat(target, "a/b").Permissions, Stat(target, "a/b").Modified));
            Assert.Equal(Old.AddDays(2), Stat(target, "a/b/f").Modified);
            Assert.Equal((0x1C9u, Old.AddDays(3)), (Syscalls.LStat(target).Permissions, Syscalls.LStat(target).Modified));
        }
    }

    [RootFact]
    public void Unpack_SubSecondMtime_KeepsNanoseconds()
    {
        DateTimeOffset precise = Old.AddTicks(1_234_567);
        var (temp, target, _) = Unpack(new TarBuilder().File("f", "x", mtime: precise).Directory("d", mtime: precise).ToArray());
        using (temp)
        {
            Assert.Equal(precise, Stat(target, "f").Modified);
            Assert.Equal(precise, Stat(target, "d").Modified);
        }
    }

    // Docker refuses a layer that names one path twice (its tar-split: "duplicates of file paths not supported"), but
    // one path reached by two names (here, through a symlink to the root) is replaced as its chroot unpacker replaces it.
    [RootFact]
    public void Unpack_SamePathByAnotherName_ReplacesTheEarlierEntry()
    {
        byte[] tar = new TarBuilder()
            .Symlink("here", ".")
            .File("file-over-file", "old").File("here/file-over-file", "new")
            .Directory("dir-over-dir").File("dir-over-dir/kept", "k").Directory("here/dir-over-dir", mode: "0700")
            .Directory("file-over-dir").File("file-over-dir/lost", "l").File("here/file-over-dir", "file")
            .File("symlink-over-file", "f").Symlink("here/symlink-over-file", "/etc/passwd")
            .Symlink("file-over-symlink", "/tmp").File("here/file-over-symlink", "not through the link")
            .Symlink("dir-over-symlink", "/tmp").Directory("here/dir-over-symlink").File("dir-over-symlink/x", "inside")
            .ToArray();

        var (temp, target, _) = Unpack(tar);
        using (temp)
        {
            Assert.Equal("new", File.ReadAllText(Path.Combine(target, "file-over-file")));
            Assert.Equal("k", File.ReadAllText(Path.Combine(target, "dir-over-dir/kept")));
            Assert.Equal(0x1C0u, Stat(target, "dir-over-dir").Permissions);
            Assert.Equal("file", File.ReadAllText(Path.Combine(target, "file-over-dir")));
            Assert.True(Stat(target, "symlink-over-file").IsSymlink);
            Assert.True(Stat(target, "file-over-symlink").IsRegular);
            Assert.True(Stat(target, "dir-over-symlink").IsDirectory);
            Assert.Equal("inside", File.ReadAllText(Path.Combine(target, "dir-over-symlink/x")));
            Assert.False(File.Exists("/tmp/x"));
        }
    }

    [RootTheory]
    [InlineData("f", "f")]
    [InlineData("./d/", "d")]
    [InlineData("a/../f", "f")]
    [InlineData("a", "./a/")]
    public void Unpack_SameNameTwice_IsRefusedAsDockerRefusesIt(string first, string second)
    {
        byte[] tar = new TarBuilder().Directory("a").Directory(first).File("a/x", "x").Directory(second).ToArray();
        using var temp = new TempDirectory();

        var e = Assert.Throws<InvalidInputException>(() => new LayerUnpacker(temp.Path, "test.tar").Unpack(new MemoryStream(tar)));

        Assert.Contains("names a path an earlier entry named", e.Message);
    }

    [RootFact]
    public void Unpack_MissingParents_AreCreatedAs0755Directories()
    {
        var (temp, target, _) = Unpack(new TarBuilder().File("a/b/c/file", "x").ToArray());
        using (temp)
        {
            foreach (string dir in new[] { "a", "a/b", "a/b/c" })
                Assert.Equal(((uint)Syscalls.S_IFDIR, 0x1EDu), (Stat(target, dir).Type, Stat(target, dir).Permissions));
        }
    }

    [RootFact]
    public void Unpack_UnsupportedEntryType_IsRefusedWithOneLine()
    {
        byte[] tar = new TarBuilder().Add(new TarBuilderEntry('Z', "weird")).ToArray();

        using var temp = new TempDirectory();

        var e = Assert.Throws<InvalidInputException>(() => new LayerUnpacker(temp.Path, "test.tar").Unpack(new MemoryStream(tar)));

        Assert.Equal("test.tar: refusing tar entry \"weird\": unsupported entry type 'Z'", e.Message);
    }

    [RootFact]
    public void Unpack_BuilderArchive_GivesSameTreeAsGnuTar()
    {
        byte[] tar = new TarBuilder()
            .Directory("bin", mtime: Old).Directory("etc", mode: "0750", uid: 1, gid: 2, mtime: Old)
            .File("bin/busybox", "ELF....", mode: "4755", mtime: Old).Xattr("security.capability", TarArchiveReaderTests.CapabilityBlob)
            .Symlink("bin/sh", "/bin/busybox", mtime: Old).Symlink("bin/up", "../etc", mtime: Old)
            .HardLink("bin/ls", "bin/busybox")
            .File("etc/shadow", "secret", mode: "0640", uid: 0, gid: 42, mtime: Old.AddTicks(5_000_000))
            .Directory("etc/empty", mode: "0700", mtime: Old).Fifo("etc/fifo", mode: "0600")
            .CharDevice("etc/console", 5, 1, mode: "0620", gid: 5).BlockDevice("etc/sda", 8, 0)
            .Directory("tmp", mode: "1777", mtime: Old).Directory("tmp/x", mtime: Old).Directory("./", mtime: Old)
            .File(string.Join('/', Enumerable.Repeat("long-directory-name", 5)) + "/file", "deep")
            .Directory("long-directory-name", mtime: Old)
            .ToArray();
        var (temp, target, _) = Unpack(tar);
        using (temp)
        {
            string gnu = temp.Combine("gnu");
            Directory.CreateDirectory(gnu);
            File.WriteAllBytes(temp.Combine("layer.tar"), tar);
            TreeSnapshot.Run("tar", "--xattrs", "--xattrs-include=*", "--numeric-owner", "-xpf", temp.Combine("layer.tar"), "-C", gnu);

            // Implied directories (long-directory-name/...) get "now" as mtime from both, so times are compared separately.
            Assert.Equal(TreeSnapshot.Find(gnu, withTimes: false), TreeSnapshot.Find(target, withTimes: false));
            Assert.Equal(TreeSnapshot.Xattrs(gnu), TreeSnapshot.Xattrs(target));
            // Not bin and etc: GNU tar creates symlinks with absolute or ".." targets last (its placeholder trick), and
            // then leaves the mtime of the directories involved at "now"; the archive says Old, and so do we.
            foreach (string path in new[] { "tmp", "bin/busybox", "bin/sh", "etc/shadow", "etc/empty", "long-directory-name" })
                Assert.Equal((path, Syscalls.LStat(Path.Combine(gnu, path)).Modified), (path, Stat(target, path).Modified));
            Assert.Equal((Old, Old), (Stat(target, "bin").Modified, Stat(target, "etc").Modified));
        }
    }

    [RootTheory]
    [InlineData("gnu")]
    [InlineData("pax")]
    public void Unpack_SystemDirectoriesTarredByGnuTar_GiveSameTreeAsGnuTar(string format)
    {
        using var temp = new TempDirectory();
        string tar = temp.Combine("system.tar");
        TreeSnapshot.Run("tar", "--format=" + format, "--xattrs", "--xattrs-include=*", "-cf", tar, "-C", "/", "etc", "-C", "/usr", "bin", "sbin");
        string ours = temp.Combine("ours"), gnu = temp.Combine("gnu");
        Directory.CreateDirectory(ours);
        Directory.CreateDirectory(gnu);

        using (FileStream input = File.OpenRead(tar)) new LayerUnpacker(ours, "system.tar").Unpack(input);
        TreeSnapshot.Run("tar", "--xattrs", "--xattrs-include=*", "--numeric-owner", "-xpf", tar, "-C", gnu);

        Assert.Equal(TreeSnapshot.Find(gnu), TreeSnapshot.Find(ours));
        Assert.Equal(TreeSnapshot.Xattrs(gnu), TreeSnapshot.Xattrs(ours));
    }
}
