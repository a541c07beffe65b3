using System.Globalization;
using System.Text.Json.Serialization;

namespace MiniRun.Containers;

/// <summary>
/// `--restart no|on-failure[:N]|always|unless-stopped`, as Docker's HostConfig.RestartPolicy {Name, MaximumRetryCount}.
/// A container's supervisor applies it (<c>RestartManager</c>); with no daemon, nothing applies it after a reboot.
/// </summary>
public sealed record RestartPolicy
{
    public const string No = "no", OnFailure = "on-failure", Always = "always", UnlessStopped = "unless-stopped";

    public string Name { get; init; } = No;
    /// <summary>on-failure only: restarts at most this many times; 0 means no limit (Docker's rule).</summary>
    public int MaximumRetryCount { get; init; }

    [JsonIgnore]
    public bool IsNone => Name == No;

    /// <summary>The flag's value, checked with Docker's messages (its CLI's for the format, its daemon's for the rest).</summary>
    public static RestartPolicy Parse(string flag)
    {
        if (flag.Length == 0) return new RestartPolicy();
        int colon = flag.IndexOf(':');
        string name = colon < 0 ? flag : flag[..colon];
        int count = 0;
        if (colon >= 0 && !int.TryParse(flag[(colon + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out count))
            throw new InvalidInputException("invalid restart policy format: maximum retry count must be an integer");
        if (name is not (No or OnFailure or Always or UnlessStopped)) throw new MiniRunException($"invalid restart policy '{name}'");
        if (colon >= 0 && name != OnFailure) throw new MiniRunException($"maximum retry count cannot be used with restart policy '{name}'");
        if (count < 0) throw new MiniRunException("maximum retry count cannot be negative");
        return new RestartPolicy { Name = name, MaximumRetryCount = count };
    }
}
