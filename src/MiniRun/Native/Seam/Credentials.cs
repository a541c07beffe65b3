namespace MiniRun.Native;

/// <summary>
/// Who the command runs as: the capability set (bit N = capability N) for bounding, permitted and effective
/// (inheritable and ambient empty), every capability above it up to <paramref name="LastCapability"/> dropped from the
/// bounding set, and the user, group and supplementary groups.
/// </summary>
public sealed record Credentials(ulong Capabilities, int LastCapability, uint Uid, uint Gid, IReadOnlyList<uint> Groups);
