using System.Security.Cryptography;

namespace MiniRun.Containers;

/// <summary>Docker-style generated names ("adjective_surname"), after container pioneers.</summary>
public static class ContainerNames
{
    private static readonly string[] Adjectives =
        ["brave", "calm", "clever", "eager", "focused", "gentle", "happy", "keen", "lucid", "nimble", "quiet", "sharp", "tender", "vivid", "wise", "zen"];

    private static readonly string[] Surnames =
        ["bellard", "cantrill", "hykes", "kamp", "kerrisk", "menage", "pike", "poettering", "ritchie", "thompson", "torvalds", "biederman", "emelyanov", "hallyn"];

    public static string Generate() =>
        $"{Adjectives[RandomNumberGenerator.GetInt32(Adjectives.Length)]}_{Surnames[RandomNumberGenerator.GetInt32(Surnames.Length)]}";

    /// <summary>Docker's rule for names: [a-zA-Z0-9][a-zA-Z0-9_.-]*.</summary>
    public static bool IsValid(string name) =>
        name.Length > 0 && char.IsAsciiLetterOrDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');
}
