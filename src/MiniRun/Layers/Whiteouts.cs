using MiniRun.Common;

namespace MiniRun.Layers;

/// <summary>What an OCI whiteout entry asks for (image-spec layer.md "Whiteouts").</summary>
public enum WhiteoutKind
{
    /// <summary>An ordinary entry.</summary>
    None,
    /// <summary><c>.wh.NAME</c>: NAME is deleted from lower layers; overlay form is a 0/0 character device NAME.</summary>
    Whiteout,
    /// <summary><c>.wh..wh..opq</c>: the directory hides all lower content; overlay form is trusted.overlay.opaque=y.</summary>
    Opaque,
    /// <summary>Other <c>.wh..wh.*</c> names are AUFS bookkeeping (hard-link dirs): skipped.</summary>
    AufsMetadata,
}

/// <summary>The OCI → overlayfs whiteout rules, as moby's overlay2 driver applies them when unpacking.</summary>
public static class Whiteouts
{
    public const string Prefix = ".wh.";
    public const string MetaPrefix = ".wh..wh.";
    public const string OpaqueMarker = ".wh..wh..opq";
    /// <summary>overlayfs(5) "Opaque directories": the xattr and its value; user.overlay.opaque in a rootless store
    /// (overlayfs.rst: with userxattr the user.overlay.* namespace is used).</summary>
    public static string OpaqueXattr => RootlessMode.OverlayXattrPrefix + "opaque";
    public static byte[] OpaqueValue { get; } = "y"u8.ToArray();

    /// <summary>Classifies a file name (the last path component); for a whiteout, <paramref name="hidden"/> is the name it deletes.</summary>
    public static WhiteoutKind Classify(string fileName, out string hidden)
    {
        hidden = "";
        if (!fileName.StartsWith(Prefix, StringComparison.Ordinal)) return WhiteoutKind.None;
        if (fileName == OpaqueMarker) return WhiteoutKind.Opaque;
        if (fileName.StartsWith(MetaPrefix, StringComparison.Ordinal)) return WhiteoutKind.AufsMetadata;
        hidden = fileName[Prefix.Length..];
        return WhiteoutKind.Whiteout;
    }

    /// <summary>A whiteout may only name a sibling: never "", "." or "..".</summary>
    public static bool IsValidHiddenName(string hidden) => hidden.Length > 0 && hidden != "." && hidden != "..";
}
