namespace MiniRun.Fixtures.Tar;

/// <summary>
/// A named hostile layer tar, and what Docker makes of it: refused (<paramref name="Inside"/> null), or taken with its
/// escape held inside the layer, where <paramref name="Inside"/> names what the escape made (a path in the layer).
/// </summary>
public sealed record HostileArchive(string Name, byte[] Tar, string? Inside = null)
{
    public bool IsRefused => Inside is null;

    public override string ToString() => Name; // xunit shows this as the theory case name
}

/// <summary>
/// Layer tars that try to write outside the directory they are unpacked into. Docker unpacks a layer inside a chroot
/// of its directory, so a ".." or an absolute name or symlink resolves inside the layer, and it refuses only what cannot
/// be placed there; an unpacker must do the same (Parity/HostileLayerParityTests holds these against Docker), with a
/// one-line error when it refuses, and leave everything outside its target untouched either way. Escapes through
/// absolute paths aim at harmless names under /tmp, never at system files, so a regression cannot damage the machine
/// running the tests.
/// </summary>
public static class HostileArchives
{
    /// <summary>A name no real file has; the tests check that it never appears.</summary>
    public const string EvilName = "minirun-hostile-evil";

    /// <summary>Where absolute escapes aim.</summary>
    public const string AbsoluteEvil = "/tmp/" + EvilName;

    public static IReadOnlyList<HostileArchive> All { get; } =
    [
        new("dotdot-traversal", new TarBuilder().File("../" + EvilName, "x").ToArray(), EvilName),
        new("nested-dotdot-traversal", new TarBuilder().Directory("a").File("a/../../" + EvilName, "x").ToArray(), EvilName),
        new("deep-dotdot-traversal", new TarBuilder().File("a/b/../../../../" + EvilName, "x").ToArray(), EvilName),
        new("absolute-path", new TarBuilder().File(AbsoluteEvil, "x").ToArray(), "tmp/" + EvilName),
        new("absolute-directory", new TarBuilder().Directory(AbsoluteEvil).ToArray(), "tmp/" + EvilName),
        new("symlink-absolute-escape", new TarBuilder().Symlink("link", "/tmp").File("link/" + EvilName, "x").ToArray()),
        new("symlink-relative-escape", new TarBuilder().Symlink("link", "../..").File("link/" + EvilName, "x").ToArray(), EvilName),
        new("symlink-parent-escape-directory", new TarBuilder().Symlink("link", "..").Directory("link/" + EvilName).ToArray(), EvilName),
        new("symlink-nested-escape", new TarBuilder().Directory("a").Symlink("a/up", "../..").File("a/up/" + EvilName, "x").ToArray(), EvilName),
        new("symlink-replaces-directory-escape", // refused by Docker for naming d twice
            new TarBuilder().Directory("d").File("d/ok", "fine").Symlink("d", "..").File("d/" + EvilName, "x").ToArray()),
        new("symlink-replaces-directory-by-alias-escape",
            new TarBuilder().Directory("d").File("d/ok", "fine").Symlink("here", ".").Symlink("here/d", "..").File("d/" + EvilName, "x").ToArray(), EvilName),
        new("hardlink-relative-escape", new TarBuilder().HardLink(EvilName, "../../etc/passwd").ToArray()),
        new("hardlink-absolute-escape", new TarBuilder().HardLink(EvilName, "/etc/passwd").ToArray()),
        new("hardlink-through-symlink", new TarBuilder().Symlink("etc", "/etc").HardLink(EvilName, "etc/passwd").ToArray()),
        new("whiteout-dotdot", new TarBuilder().Directory("a").File("a/.wh...", "").ToArray()),
        new("whiteout-dot", new TarBuilder().Directory("a").File("a/.wh..", "").ToArray()),
        new("whiteout-through-symlink", new TarBuilder().Symlink("link", "/tmp").Whiteout("link/" + EvilName).ToArray()),
        new("opaque-through-symlink", new TarBuilder().Symlink("link", "/tmp").Opaque("link").ToArray()),
        new("symlink-chain-escape",
            new TarBuilder().Directory("a").Symlink("a/one", "two").Symlink("a/two", "../three").Symlink("three", "../..").File("a/one/" + EvilName, "x").ToArray(), EvilName),
        new("hardlink-to-symlink-escape", new TarBuilder().Symlink("s", "/tmp").HardLink("h", "s").File("h/" + EvilName, "x").ToArray()),
        new("device-through-symlink", new TarBuilder().Symlink("link", "/tmp").CharDevice("link/" + EvilName, 1, 3).ToArray()),
        new("fifo-through-symlink", new TarBuilder().Symlink("link", "..").Fifo("link/" + EvilName).ToArray(), EvilName),
    ];

    public static HostileArchive Get(string name) => All.Single(a => a.Name == name);
}
