using System.Globalization;
using MiniRun.Common;
using MiniRun.Containers;
using MiniRun.Native;
using MiniRun.Sandbox.Cgroups;

namespace MiniRun.Cli.CommandLine;

/// <summary>--memory, --pids-limit, --cpus and --cpu-shares, parsed and checked as Docker does.</summary>
public static class ResourceFlags
{
    /// <summary>Docker refuses less: the runtime itself needs some memory before the command starts.</summary>
    public const long MinimumMemory = 6 * 1024 * 1024;

    public static ContainerResources Parse(ParsedArguments args)
    {
        long? memory = args.Get("memory") is { } m ? ByteSize.Parse(m, "--memory") : null;
        if (memory is < MinimumMemory) throw new UsageException("minimum memory limit allowed is 6MB");
        long? shares = Integer(args, "cpu-shares");
        if (shares is < 2) throw new UsageException("--cpu-shares must be at least 2 (cgroup v1 cpu.shares)");
        var resources = new ContainerResources
        {
            MemoryBytes = memory,
            PidsLimit = Integer(args, "pids-limit"),
            Cpus = Cpus(args.Get("cpus")),
            CpuShares = shares,
        };
        // Rootless: no cgroup of the user's own to put a limit in unless a v2 subtree is delegated (what Podman needs too);
        // the limits its controllers allow are written there as root's are (CgroupDetector.Delegated), the others refused.
        if (RootlessMode.Active && resources is not { MemoryBytes: null, PidsLimit: null, Cpus: null, CpuShares: null }
            && RootlessLimitRefusal(resources) is { } refusal)
            throw new MiniRunException(refusal);
        return resources;
    }

    /// <summary>Why a rootless container cannot have these limits (what the user's cgroup lacks, CgroupDelegation), or null.</summary>
    private static string? RootlessLimitRefusal(ContainerResources resources)
    {
        // Inside the user namespace the user is uid 0: a group delegated to the user reads as owned by 0 here.
        CgroupDelegation delegation = CgroupDelegation.Read(CgroupDetector.ReadLayout().V2MountPoint, File.ReadAllText("/proc/self/cgroup"), Syscalls.EffectiveIds.Uid);
        return delegation.Refusal(resources.ToLimits(privileged: false));
    }

    private static long? Integer(ParsedArguments args, string name) =>
        args.Get(name) is not { } text ? null
        : long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value) ? value
        : throw new UsageException($"invalid argument \"{text}\" for --{name}: an integer is needed");

    private static double? Cpus(string? text)
    {
        if (text is null) return null;
        if (!double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double cpus) || cpus <= 0)
            throw new UsageException($"invalid argument \"{text}\" for --cpus: a positive number such as 0.5 is needed");
        if (cpus > Environment.ProcessorCount)
            throw new UsageException($"range of CPUs is from 0.01 to {Environment.ProcessorCount}.00, as there are only {Environment.ProcessorCount} CPUs available");
        return cpus;
    }
}
