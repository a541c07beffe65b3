namespace MiniRun.Native;

/// <summary>
/// Who the command runs as: the capability set (bit N = capability N) for bounding, permitted and effective
/// (inheritable and ambient empty), every capability above it up to <paramref name="LastCapability"/> dropped from the
/// bounding set, and the user, group and supplementary groups.
/// </summary>
/// <param name="Inheritable">the inheritable set (an OCI spec may ask for one; Docker's is empty).</param>
/// <param name="Ambient">the ambient set, each raised after the others (kept across execve; capabilities(7)).</param>
public sealed record Credentials(ulong Capabilities, int LastCapability, uint Uid, uint Gid, IReadOnlyList<uint> Groups, ulong Inheritable = 0, ulong Ambient = 0);
