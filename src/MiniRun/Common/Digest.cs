using System.Security.Cryptography;

namespace MiniRun.Common;

/// <summary>An OCI content digest, "sha256:&lt;64 hex&gt;" (the only algorithm images use in practice).</summary>
public readonly record struct Digest
{
    public string Algorithm { get; }
    public string Hex { get; }

    private Digest(string algorithm, string hex)
    {
        Algorithm = algorithm;
        Hex = hex;
    }

    public override string ToString() => $"{Algorithm}:{Hex}";

    public static Digest FromSha256(ReadOnlySpan<byte> hash) => new("sha256", Convert.ToHexStringLower(hash));

    public static Digest Of(ReadOnlySpan<byte> content) => FromSha256(SHA256.HashData(content));

    /// <summary>Parses "sha256:hex"; hostile or malformed text is an <see cref="InvalidInputException"/>.</summary>
    public static Digest Parse(string text, string where)
    {
        if (TryParse(text, out Digest digest)) return digest;
        throw new InvalidInputException($"{where}: \"{Truncate(text)}\" is not a valid sha256 digest");
    }

    public static bool TryParse(string? text, out Digest digest)
    {
        digest = default;
        // "sha256:" and 64 lowercase hex digits. By hand, not a Regex: every `run` parses its layers' digests, and a
        // Regex's first use (its type's and the pattern's static constructors) cost it more than all the rest.
        const string prefix = "sha256:";
        if (text is not { Length: 71 } || !text.StartsWith(prefix, StringComparison.Ordinal)) return false;
        foreach (char c in text.AsSpan(prefix.Length))
            if (c is not (>= '0' and <= '9' or >= 'a' and <= 'f')) return false;
        digest = new Digest("sha256", text[prefix.Length..]);
        return true;
    }

    private static string Truncate(string s) => s.Length > 80 ? s[..80] + "…" : s;
}
