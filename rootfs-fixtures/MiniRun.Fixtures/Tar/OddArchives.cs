namespace MiniRun.Fixtures.Tar;

/// <summary>
/// Layer tars that real images contain, or that look hostile and are not, which a strict unpacker wrongly refuses:
/// a hard link with an absolute target (GNU tar writes "/usr/bin/perlbug"), entries under a directory symlink of the
/// same layer (Debian's var/run -> /run), names with ".." above the root, replacements of one type by another.
/// Docker takes them (Parity/HostileLayerParityTests holds them against it); <see cref="HostileArchive.Inside"/> names
/// what each one made, or is null for the ones Docker refuses too.
/// </summary>
public static class OddArchives
{
    private const string Evil = HostileArchives.EvilName;

    public static IReadOnlyList<HostileArchive> All { get; } =
    [
        new("hardlink-absolute-target",
            new TarBuilder().Directory("usr").Directory("usr/bin").File("usr/bin/perl", "perl", mode: "0755")
                .HardLink("usr/bin/perlbug", "/usr/bin/perl").ToArray(), "usr/bin/perlbug"),
        new("symlink-directory-absolute",
            new TarBuilder().Directory("run").Directory("var").Symlink("var/run", "/run").Directory("var/run/x")
                .File("var/run/x/file", "pid").ToArray(), "run/x/file"),
        new("symlink-directory-relative",
            new TarBuilder().Directory("run").Directory("var").Symlink("var/run", "../run").File("var/run/x/file", "pid").ToArray(),
            "run/x/file"),
        new("symlink-directory-implied-parent",
            new TarBuilder().Symlink("lib", "usr/lib").Directory("usr/lib").File("lib/libc.so", "elf").ToArray(), "usr/lib/libc.so"),
        new("symlink-directory-dangling", new TarBuilder().Directory("var").Symlink("var/run", "/run").File("var/run/x/file", "pid").ToArray()),
        new("dotdot-names", new TarBuilder().Directory("etc").File("../../etc/x", "x").File("a/../../../etc/y", "y").ToArray(), "etc/y"),
        new("symlink-to-root-above-root",
            new TarBuilder().Symlink("up", "/../../..").File("up/" + Evil, "x").Directory("up/d").ToArray(), Evil),
        new("hardlink-header-differs",
            new TarBuilder().File("f", "x", mode: "4755", uid: 7)
                .Add(new TarBuilderEntry(TarBuilderEntry.HardLink, "g") { LinkName = "f", Mode = "0600", Uid = 8, Gid = 9 }).ToArray(), "g"),
        new("hardlink-under-symlink",
            new TarBuilder().Directory("real").File("real/f", "content").Symlink("alias", "/real").HardLink("h", "alias/f").ToArray(), "h"),
        new("hardlink-through-escaping-symlink", new TarBuilder().Symlink("s", "../../..").HardLink(Evil, "s/etc/passwd").ToArray()),
        new("hardlink-through-escaping-symlink-to-layer-file",
            new TarBuilder().Directory("etc").File("etc/passwd", "root:x:0:0::/:/bin/sh\n").Symlink("s", "../../..")
                .HardLink(Evil, "s/etc/passwd").ToArray(), Evil),
        new("whiteout-through-symlink-in-layer",
            new TarBuilder().Directory("real").Symlink("link", "/real").Whiteout("link/gone").ToArray(), "real/gone"),
        new("opaque-through-symlink-in-layer",
            new TarBuilder().Directory("real").File("real/keep", "k").Symlink("link", "../real").Opaque("link").ToArray(), "real/keep"),
        // Docker's layer store refuses a layer that names one path twice (tar-split: "duplicates of file paths not supported")…
        new("file-replaces-directory", new TarBuilder().Directory("d").File("d/f", "inner").File("d", "now a file").ToArray()),
        new("directory-replaces-file", new TarBuilder().File("f", "a file").Directory("f").File("f/g", "inside").ToArray()),
        new("symlink-replaces-directory",
            new TarBuilder().Directory("real").Directory("d").File("d/f", "x").Symlink("d", "real").File("d/g", "y").ToArray()),
        new("same-name-cleaned", new TarBuilder().Directory("./d/").File("d/f", "x").Directory("d").ToArray()),
        // …but replaces what one path holds when a later entry reaches it by another name.
        new("file-replaces-directory-by-alias",
            new TarBuilder().Directory("real").Directory("real/d").File("real/d/f", "inner").Symlink("alias", "real")
                .File("alias/d", "now a file").ToArray(), "real/d"),
        new("directory-replaces-file-by-alias",
            new TarBuilder().Directory("real").File("real/f", "a file").Symlink("alias", "/real").Directory("alias/f")
                .File("alias/f/g", "inside").ToArray(), "real/f/g"),
        new("symlink-replaces-directory-by-alias",
            new TarBuilder().Directory("real").Directory("d").File("d/f", "x").Symlink("here", ".").Symlink("here/d", "real")
                .File("d/g", "y").ToArray(), "real/g"),
        new("hardlink-to-itself-by-alias",
            new TarBuilder().File("f", "x").Symlink("here", ".").HardLink("here/f", "f").ToArray()),
    ];

    public static HostileArchive Get(string name) => All.Single(a => a.Name == name);
}
