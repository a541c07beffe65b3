using MiniRun.Native;

namespace MiniRun.Sandbox;

/// <summary>
/// capabilities(7) by name and number, and Docker's rules for the set a container gets: its default 14
/// (moby oci/defaults.go DefaultCapabilities), changed by --cap-add/--cap-drop ("ALL" allowed), or every one with --privileged.
/// </summary>
public static class Capabilities
{
    /// <summary>Index = capability number (linux/capability.h).</summary>
    public static IReadOnlyList<string> Names => CapabilityNames.All;

    public static readonly IReadOnlyList<string> DockerDefaults =
    [
        "CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID", "SETUID", "SETFCAP", "SETPCAP",
        "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE",
    ];

    /// <summary>All capabilities this kernel knows: bits 0..cap_last_cap.</summary>
    public static ulong All(int lastCapability) => lastCapability >= 63 ? ulong.MaxValue : (1UL << (lastCapability + 1)) - 1;

    /// <summary>The kernel's highest capability number (/proc/sys/kernel/cap_last_cap), or the highest we know by name.</summary>
    public static int LastCapability()
    {
        try
        {
            return KernelFiles.TryReadFirstLine("/proc/sys/kernel/cap_last_cap") is { } text ? int.Parse(text) : Names.Count - 1;
        }
        catch (Exception e) when (e is NativeException or FormatException)
        {
            return Names.Count - 1;
        }
    }

    /// <summary>The capabilities minirun itself holds (CapPrm in /proc/self/status): a container can be given no others.</summary>
    public static ulong Held()
    {
        string? line = (KernelFiles.TryReadAll("/proc/self/status") ?? "").Split('\n').FirstOrDefault(l => l.StartsWith("CapPrm:", StringComparison.Ordinal));
        return line is not null ? Convert.ToUInt64(line[7..].Trim(), 16) : ulong.MaxValue;
    }

    /// <summary>
    /// The set for the container, limited to what minirun holds: --privileged means every capability minirun has
    /// (a confined host may lack some); an explicitly wanted one that minirun lacks is an error.
    /// </summary>
    public static ulong ForContainer(IReadOnlyList<string> add, IReadOnlyList<string> drop, bool privileged, int lastCapability, ulong held)
    {
        ulong wanted = Compute(add, drop, privileged, lastCapability);
        if (privileged || add.Any(IsAll)) return wanted & held;
        ulong lacking = wanted & ~held;
        if (lacking != 0)
            throw new MiniRunException($"{string.Join(", ", Describe(lacking))}: minirun itself does not hold it, so it cannot give it to the container");
        return wanted;
    }

    /// <summary>The capability number of "NET_ADMIN", "CAP_NET_ADMIN" or "net_admin".</summary>
    public static int Parse(string name) =>
        TryParse(name) ?? throw new MiniRunException($"unknown capability \"{name}\": use a name from capabilities(7) such as NET_ADMIN, or ALL");

    /// <summary>As <see cref="Parse"/>; null for a name no capability has.</summary>
    public static int? TryParse(string name)
    {
        string upper = name.Trim().ToUpperInvariant();
        if (upper.StartsWith("CAP_", StringComparison.Ordinal)) upper = upper[4..];
        for (int i = 0; i < Names.Count; i++)
            if (Names[i] == upper) return i;
        return null;
    }

    /// <summary>Docker's TweakCapabilities: ALL in --cap-add gives every one but the dropped, ALL in --cap-drop only the added.</summary>
    public static ulong Compute(IReadOnlyList<string> add, IReadOnlyList<string> drop, bool privileged, int lastCapability)
    {
        ulong all = All(lastCapability);
        ulong added = Mask(add.Where(a => !IsAll(a))), dropped = Mask(drop.Where(d => !IsAll(d)));
        if (privileged) return all;
        if (add.Any(IsAll)) return all & ~dropped;
        if (drop.Any(IsAll)) return added & all;
        // Drops first, then adds: a capability named in both is kept, as in Docker.
        return ((Mask(DockerDefaults) & ~dropped) | added) & all;
    }

    private static bool IsAll(string name) => name.Trim().Equals("ALL", StringComparison.OrdinalIgnoreCase);

    private static ulong Mask(IEnumerable<string> names) => names.Aggregate(0UL, (mask, name) => mask | 1UL << Parse(name));

    /// <summary>The names in a mask, for messages and `inspect`.</summary>
    public static IReadOnlyList<string> Describe(ulong mask) =>
        Enumerable.Range(0, Names.Count).Where(i => (mask & 1UL << i) != 0).Select(i => "CAP_" + Names[i]).ToList();
}
