using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.IO.Hashing;
using System.Text;
using System.Text.Json.Serialization;
using MiniRun.Native;
using MiniRun.Store;

namespace MiniRun.Sandbox.Seccomp;

/// <summary>
/// The seccomp filter a container's processes get, as Docker decides it: none with --privileged or
/// `--security-opt seccomp=unconfined`, else the profile given with `seccomp=FILE` (kept in the record) or Docker's
/// default. Compiled filters are cached in the store (<c>seccomp/&lt;xxhash128&gt;.bpf</c>), keyed by everything the
/// program depends on: the profile's bytes, the capability set (includes.caps), the architecture, the kernel
/// (minKernel) and the libseccomp that compiled it; a start then reads one small file, parses no JSON and loads no libseccomp.
/// </summary>
public static class SeccompFilters
{
    /// <summary>Bumped when the program minirun makes from the same inputs changes (the stub, the rule mapping).</summary>
    private const string Format = "minirun-seccomp-2";

    public const string DefaultProfileName = "Docker's default profile";

    /// <summary>The filter for a container with this capability set, or null when it runs without one.</summary>
    /// <param name="store">whose cache to use; null (--dry-run, which writes nothing) compiles without one.</param>
    public static SeccompFilter? For(StorePaths? store, bool privileged, bool unconfined, string? profileText, ulong capabilities)
    {
        if (privileged || unconfined) return null;
        byte[] profile = profileText is { } text ? Encoding.UTF8.GetBytes(text) : DefaultProfile();
        string source = profileText is null ? DefaultProfileName : "the profile of --security-opt seccomp=FILE";
        return Compiled(store?.Seccomp, profile, capabilities, source, kernel => SeccompProfile.Parse(profile, source));
    }

    /// <summary>
    /// The program compiled from <paramref name="profile"/> (the bytes it is keyed by) for this capability set, read from
    /// <paramref name="cacheDirectory"/> when an earlier call compiled the same (none: compiled, not kept). `run` keeps its
    /// cache in the store; the OCI runtime in its state directory, where an engine's containers share one profile and
    /// libseccomp's compile was most of `create` (about 20 ms of 30).
    /// </summary>
    public static SeccompFilter Compiled(string? cacheDirectory, byte[] profile, ulong capabilities, string source, Func<KernelVersion, SeccompProfile> parse)
    {
        string kernel = KernelFiles.TryReadFirstLine("/proc/sys/kernel/osrelease") ?? "";
        string? path = cacheDirectory is null ? null : Path.Combine(cacheDirectory, Key(profile, capabilities, kernel) + ".bpf");
        if (path is not null && TryRead(path) is { } cached) return new SeccompFilter(cached, source);
        KernelVersion version = KernelVersion.TryParse(kernel) ?? new KernelVersion(0, 0);
        (byte[] program, _) = SeccompCompiler.Compile(parse(version), capabilities, version);
        if (program.Length / 8 > ushort.MaxValue) throw new MiniRunException($"seccomp: {source} compiles to more instructions than a filter may have");
        if (cacheDirectory is null || path is null) return new SeccompFilter(program, source);
        Directory.CreateDirectory(cacheDirectory);
        AtomicFile.WriteAllBytes(path, program, durable: false); // a lost cache entry is compiled again
        return new SeccompFilter(program, source);
    }

    /// <summary>
    /// Where the cache keeps what was made from this profile for this capability set, kernel and libseccomp, without
    /// its extension (.bpf: the filter; .json: config.json's section, <c>SeccompSection.Cached</c>).
    /// </summary>
    public static string CachePath(StorePaths store, string? profileText, ulong capabilities) =>
        Path.Combine(store.Seccomp, Key(profileText is { } text ? Encoding.UTF8.GetBytes(text) : DefaultProfile(), capabilities,
            KernelFiles.TryReadFirstLine("/proc/sys/kernel/osrelease") ?? ""));

    /// <summary>Docker's default profile, the resource embedded from Sandbox/Seccomp/docker-default.json.</summary>
    public static byte[] DefaultProfile()
    {
        using Stream stream = typeof(SeccompFilters).Assembly.GetManifestResourceStream("docker-default.json")
                              ?? throw new MiniRunException("seccomp: Docker's default profile is missing from this build");
        byte[] bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }

    /// <summary>
    /// XxHash128, not SHA-256: .NET's SHA-256 is OpenSSL's, and loading libcrypto cost every start milliseconds. The
    /// store and every profile in it are root's: the key must tell inputs apart, not stand up to an adversary.
    /// </summary>
    private static string Key(byte[] profile, ulong capabilities, string kernel)
    {
        var hash = new XxHash128();
        Span<byte> number = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(number, (ulong)profile.Length);
        hash.Append(number);
        hash.Append(profile);
        BinaryPrimitives.WriteUInt64LittleEndian(number, capabilities);
        hash.Append(number);
        hash.Append(Encoding.UTF8.GetBytes($"\n{RuntimeInformation.ProcessArchitecture}\n{kernel}\n{LibseccompVersion()}\n{Format}"));
        return Convert.ToHexStringLower(hash.GetCurrentHash());
    }

    /// <summary>Where Debian, Ubuntu, Fedora and Arch put libseccomp.so.2 (the first that exists is the one the loader finds).</summary>
    private static readonly string[] LibraryPaths =
    [
        $"/usr/lib/{(RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "aarch64" : "x86_64")}-linux-gnu/libseccomp.so.2",
        "/usr/lib64/libseccomp.so.2", "/usr/lib/libseccomp.so.2",
    ];

    /// <summary>
    /// Which libseccomp compiles, without loading it (a dlopen cost a start about a millisecond): the library file's
    /// identity, which an upgrade changes; its reported version where it lives elsewhere.
    /// </summary>
    private static string LibseccompVersion()
    {
        foreach (string path in LibraryPaths)
            if (Syscalls.TryStat(path) is { } file) return $"{file.Device}:{file.Inode}:{file.Size}:{file.Modified.UtcTicks}";
        return SeccompContext.Version();
    }

    /// <summary>A cached program, or null when there is none or it is not a whole number of instructions.</summary>
    private static byte[]? TryRead(string path)
    {
        try
        {
            byte[] program = File.ReadAllBytes(path);
            return program.Length > 0 && program.Length % 8 == 0 ? program : null;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }
}

/// <summary>A compiled seccomp filter (struct sock_filter[]) and what it was made from, for --explain.</summary>
public sealed record SeccompFilter(byte[] Program, string Source)
{
    [JsonIgnore]
    public int Instructions => Program.Length / 8;
}
