using System.Runtime.InteropServices;

namespace MiniRun.Images;

/// <summary>Which entry of a multi-platform index this machine runs: linux and its GOARCH name (image-index.md platform).</summary>
public static class Platforms
{
    /// <summary>This machine's architecture as Go (and so OCI) spells it.</summary>
    public static string Architecture => RuntimeInformation.OSArchitecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => "amd64",
        System.Runtime.InteropServices.Architecture.Arm64 => "arm64",
        System.Runtime.InteropServices.Architecture.Arm => "arm",
        System.Runtime.InteropServices.Architecture.X86 => "386",
        System.Runtime.InteropServices.Architecture.S390x => "s390x",
        System.Runtime.InteropServices.Architecture.Ppc64le => "ppc64le",
        System.Runtime.InteropServices.Architecture.RiscV64 => "riscv64",
        System.Runtime.InteropServices.Architecture.LoongArch64 => "loong64",
        var other => other.ToString().ToLowerInvariant(),
    };

    public static string Current => $"linux/{Architecture}";

    public static bool Matches(OciPlatform platform) => platform.Os == "linux" && platform.Architecture == Architecture;

    /// <summary>The first manifest for linux and this architecture; arm64 prefers variant v8 or none, as containerd's matcher does.</summary>
    public static OciDescriptor? Choose(IEnumerable<OciDescriptor> manifests)
    {
        List<OciDescriptor> matching = manifests.Where(m => m.Platform is { } p && Matches(p)).ToList();
        return matching.FirstOrDefault(m => m.Platform!.Variant is null or "v8") ?? matching.FirstOrDefault();
    }
}
