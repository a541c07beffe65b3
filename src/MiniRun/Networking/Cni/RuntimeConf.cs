using System.Text.Json.Nodes;

namespace MiniRun.Networking.Cni;

/// <summary>
/// What one attachment is (libcni's RuntimeConf): the container, the network namespace path it lives in, the
/// interface name to make there, and the capability arguments (e.g. "portMappings") given to the plugins that ask.
/// </summary>
public sealed record RuntimeConf(string ContainerId, string NetNs, string IfName = "eth0", JsonObject? CapabilityArgs = null)
{
    /// <summary>SPEC.md: a container ID is alphanumeric plus _ . - (it also names files in the store).</summary>
    public void Validate()
    {
        if (ContainerId.Length == 0 || !ContainerId.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-') || ContainerId[0] is '.' or '-')
            throw new InvalidInputException($"\"{ContainerId}\" is not a CNI container ID: letters, digits, _ . - only");
        // SPEC.md: an interface name is at most 15 bytes (IFNAMSIZ - 1) and not . or .., without / : or white space.
        if (IfName.Length is 0 or > 15 || IfName is "." or ".." || IfName.Any(c => c is '/' or ':' || char.IsWhiteSpace(c)))
            throw new InvalidInputException($"\"{IfName}\" is not an interface name");
    }
}
