using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace MiniRun;

/// <summary>An OCI content digest, "sha256:&lt;64 hex&gt;" (the only algorithm images use in practice).</summary>
public readonly partial record struct Digest
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
        if (text is null) return false;
        Match m = Sha256Pattern().Match(text);
        if (!m.Success) return false;
        digest = new Digest("sha256", m.Groups[1].Value);
        return true;
    }

    private static string Truncate(string s) => s.Length > 80 ? s[..80] + "…" : s;

    [GeneratedRegex("^sha256:([a-f0-9]{64})$")]
    private static partial Regex Sha256Pattern();
}
