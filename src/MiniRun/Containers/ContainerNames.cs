namespace MiniRun.Containers;

/// <summary>Docker-style generated names ("adjective_surname"), after container pioneers.</summary>
public static class ContainerNames
{
    private static readonly string[] Adjectives =
        ["brave", "calm", "clever", "eager", "focused", "gentle", "happy", "keen", "lucid", "nimble", "quiet", "sharp", "tender", "vivid", "wise", "zen"];

    private static readonly string[] Surnames =
        ["bellard", "cantrill", "hykes", "kamp", "kerrisk", "menage", "pike", "poettering", "ritchie", "thompson", "torvalds", "biederman", "emelyanov", "hallyn"];

    // Names need no secrecy (moby uses math/rand); RandomNumberGenerator would load OpenSSL on every run.
    /// <summary>A new name; from the first <paramref name="retry"/> on, with a random number appended as moby does, so a crowd of concurrent runs finds free names.</summary>
    public static string Generate(int retry = 0)
    {
        string name = $"{Adjectives[Random.Shared.Next(Adjectives.Length)]}_{Surnames[Random.Shared.Next(Surnames.Length)]}";
        return retry == 0 ? name : name + Random.Shared.Next(10 * Math.Min(retry, 100_000));
    }

    /// <summary>Docker's rule for names: [a-zA-Z0-9][a-zA-Z0-9_.-]*.</summary>
    public static bool IsValid(string name) =>
        name.Length > 0 && char.IsAsciiLetterOrDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-');
}
