using System.Globalization;
using System.Runtime.InteropServices;
using MiniRun.Native;
using MiniRun.Sandbox.Cgroups;

namespace MiniRun.Diagnostics;

/// <summary>
/// The host as `minirun info` shows it, in Docker's terms: the kernel, the OS, the machine, the filesystem under the
/// store (Docker's "Backing Filesystem") and the cgroup version, each read from /proc or statfs(2), nothing assumed.
/// </summary>
public sealed record HostFacts(string KernelVersion, string OperatingSystem, string Architecture, int Cpus, long MemoryBytes,
    string BackingFilesystem, string CgroupVersion, bool Seccomp, string Hostname)
{
    public static HostFacts Read(string storeRoot) => new(
        (KernelFiles.TryReadAll("/proc/sys/kernel/osrelease") ?? "").Trim(),
        OsPrettyName(),
        RuntimeInformation.OSArchitecture switch
        {
            System.Runtime.InteropServices.Architecture.X64 => "x86_64", System.Runtime.InteropServices.Architecture.Arm64 => "aarch64",
            var other => other.ToString().ToLowerInvariant(),
        },
        Environment.ProcessorCount,
        MemTotal(),
        FileSystemOf(storeRoot),
        CgroupDetector.Detect() is { } manager ? manager.Version.TrimStart('v') : "",
        // proc(5): the "Seccomp:" line exists when the kernel was built with CONFIG_SECCOMP.
        (KernelFiles.TryReadAll("/proc/self/status") ?? "").Contains("\nSeccomp:", StringComparison.Ordinal),
        Environment.MachineName);

    /// <summary>os-release(5): PRETTY_NAME from /etc/os-release (else /usr/lib/os-release).</summary>
    private static string OsPrettyName()
    {
        string text = KernelFiles.TryReadAll("/etc/os-release") ?? KernelFiles.TryReadAll("/usr/lib/os-release") ?? "";
        foreach (string line in text.Split('\n'))
            if (line.StartsWith("PRETTY_NAME=", StringComparison.Ordinal)) return line["PRETTY_NAME=".Length..].Trim('"', '\'');
        return "Linux";
    }

    /// <summary>proc(5) /proc/meminfo's MemTotal, in kB there.</summary>
    private static long MemTotal()
    {
        foreach (string line in (KernelFiles.TryReadAll("/proc/meminfo") ?? "").Split('\n'))
            if (line.StartsWith("MemTotal:", StringComparison.Ordinal)
                && long.TryParse(line["MemTotal:".Length..].Replace("kB", "").Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long kb))
                return kb * 1024;
        return 0;
    }

    /// <summary>The statfs(2) type of the store's filesystem (or its parent's before the store exists), as Docker names it.</summary>
    private static string FileSystemOf(string storeRoot)
    {
        string? path = storeRoot;
        while (path is not null && !Directory.Exists(path)) path = Path.GetDirectoryName(path);
        long magic;
        try { magic = KernelFiles.FileSystemType(path ?? "/"); }
        catch (NativeException) { return "unknown"; }
        return magic switch
        {
            0xEF53 => "extfs", 0x58465342 => "xfs", 0x9123683E => "btrfs", 0x01021994 => "tmpfs", 0x2FC12FC1 => "zfs",
            0x794C7630 => "overlayfs", 0x6969 => "nfs",
            _ => $"0x{magic:x}",
        };
    }
}
