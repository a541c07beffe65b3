using System.Text;
using System.Text.Json;
using MiniRun.Native;
using MiniRun.Store;
using MiniRun.Containers;
using MiniRun.Sandbox.Seccomp;

namespace MiniRun.Runtime.Spec;

/// <summary>
/// The seccomp section of config.json as Docker writes it (moby profiles/seccomp setupSeccomp): the profile's
/// rules that apply to this container, its architecture (the archMap entry of this machine with its
/// sub-architectures), capability set and kernel, each as one rule with its names, action, errnoRet and arguments.
/// </summary>
public static class SeccompSection
{
    /// <summary>None with --privileged or seccomp=unconfined; else the FILE profile kept in the record, or Docker's default.</summary>
    public static LinuxSeccomp? For(ContainerSecurity security, ulong capabilities, KernelVersion kernel)
    {
        if (security.Privileged || security.SeccompUnconfined) return null;
        SeccompProfile profile = security.SeccompProfile is { } text
            ? SeccompProfile.Parse(Encoding.UTF8.GetBytes(text), "the profile of --security-opt seccomp=FILE")
            : SeccompProfile.Parse(SeccompFilters.DefaultProfile(), SeccompFilters.DefaultProfileName);
        return FromProfile(profile, capabilities, kernel);
    }

    /// <summary>
    /// As <see cref="For"/>, its text cached beside the compiled filter under the same key (profile, capability set,
    /// kernel, libseccomp): `run` writes config.json on every start, and parsing the profile each time was most of that.
    /// </summary>
    /// <returns>the section as config.json's text only (<see cref="LinuxSeccomp.CachedJson"/>), whether read or made now.</returns>
    public static LinuxSeccomp? Cached(StorePaths? store, ContainerSecurity security, ulong capabilities, KernelVersion kernel)
    {
        if (security.Privileged || security.SeccompUnconfined) return null;
        string? path = store is null ? null : SeccompFilters.CachePath(store, security.SeccompProfile, capabilities) + ".json";
        if (path is not null)
            try { return new LinuxSeccomp { DefaultAction = "", CachedJson = File.ReadAllText(path) }; }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { }
        // Indented for its place in config.json (linux.seccomp: two levels deep), since it is written there as it is.
        string text = JsonSerializer.Serialize(For(security, capabilities, kernel)!, OciSeccompJsonContext.Default.LinuxSeccomp).Replace("\n", "\n    ");
        if (store is not null && path is not null)
        {
            Directory.CreateDirectory(store.Seccomp);
            AtomicFile.WriteAllBytes(path, Encoding.UTF8.GetBytes(text), durable: false); // a lost cache entry is made again
        }
        return new LinuxSeccomp { DefaultAction = "", CachedJson = text };
    }

    public static LinuxSeccomp FromProfile(SeccompProfile profile, ulong capabilities, KernelVersion kernel)
    {
        var section = new LinuxSeccomp
        {
            DefaultAction = profile.DefaultAction!,
            DefaultErrnoRet = profile.DefaultErrnoRet,
            Architectures = Architectures(profile),
            Syscalls = [],
        };
        foreach (SeccompRule rule in profile.Syscalls ?? [])
        {
            if (!SeccompCompiler.Applies(rule, capabilities, kernel)) continue;
            List<LinuxSeccompArg>? args = null;
            if (rule.Args is { Count: > 0 })
            {
                args = new List<LinuxSeccompArg>(rule.Args.Count);
                foreach (SeccompArgument arg in rule.Args)
                    args.Add(new LinuxSeccompArg { Index = arg.Index, Value = arg.Value, ValueTwo = arg.ValueTwo, Op = arg.Op! });
            }
            section.Syscalls.Add(new LinuxSyscall { Names = [.. rule.AllNames], Action = rule.Action!, ErrnoRet = rule.ErrnoRet, Args = args });
        }
        return section;
    }

    /// <summary>The section read back as a profile (its OCI form: architectures, no conditions), for the compiler.</summary>
    public static SeccompProfile ToProfile(LinuxSeccomp section)
    {
        var rules = new List<SeccompRule>();
        foreach (LinuxSyscall call in section.Syscalls ?? [])
        {
            var args = new List<SeccompArgument>();
            foreach (LinuxSeccompArg arg in call.Args ?? [])
                args.Add(new SeccompArgument { Index = arg.Index, Value = arg.Value, ValueTwo = arg.ValueTwo, Op = arg.Op });
            rules.Add(new SeccompRule { Names = call.Names, Action = call.Action, ErrnoRet = call.ErrnoRet, Args = args });
        }
        return new SeccompProfile
        {
            DefaultAction = section.DefaultAction,
            DefaultErrnoRet = section.DefaultErrnoRet,
            Architectures = section.Architectures,
            Syscalls = rules,
        };
    }

    /// <summary>The archMap entry of this machine with its sub-architectures, or the profile's own list.</summary>
    private static List<string> Architectures(SeccompProfile profile)
    {
        string native = SeccompCompiler.NativeProfileArchitecture();
        foreach (SeccompArchitecture entry in profile.ArchMap ?? [])
            if (entry.Architecture == native) return [entry.Architecture, .. entry.SubArchitectures ?? []];
        return [.. profile.Architectures ?? []];
    }
}
