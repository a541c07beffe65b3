using MiniRun.Containers;
using System.Text;
using MiniRun.Sandbox;
using MiniRun.Sandbox.Seccomp;

namespace MiniRun.Cli.CommandLine;

/// <summary>--cap-add, --cap-drop, --privileged, --read-only and --security-opt (no-new-privileges, seccomp=…), as Docker spells them.</summary>
public static class SecurityFlags
{
    public static ContainerSecurity Parse(ParsedArguments args)
    {
        var add = args.GetAll("cap-add").ToList();
        var drop = args.GetAll("cap-drop").ToList();
        foreach (string name in add.Concat(drop).Where(n => !n.Equals("ALL", StringComparison.OrdinalIgnoreCase)))
            Capabilities.Parse(name); // an unknown name fails here, before anything is created
        bool noNewPrivileges = false, seccompUnconfined = false;
        string? seccompProfile = null;
        foreach (string option in args.GetAll("security-opt"))
        {
            if (option.StartsWith("seccomp=", StringComparison.Ordinal) || option.StartsWith("seccomp:", StringComparison.Ordinal))
            {
                string value = option["seccomp=".Length..];
                seccompUnconfined = value == "unconfined";
                seccompProfile = seccompUnconfined ? null : ReadProfile(value);
                continue;
            }
            noNewPrivileges = option switch
            {
                "no-new-privileges" or "no-new-privileges:true" or "no-new-privileges=true" => true,
                "no-new-privileges:false" or "no-new-privileges=false" => false,
                _ => throw new UsageException($"--security-opt {option}: only no-new-privileges, seccomp=unconfined and seccomp=PROFILE.json are supported"),
            };
        }
        return new ContainerSecurity
        {
            CapAdd = add,
            CapDrop = drop,
            Privileged = IsSet(args, "privileged"),
            ReadOnlyRootfs = IsSet(args, "read-only"),
            NoNewPrivileges = noNewPrivileges,
            SeccompUnconfined = seccompUnconfined,
            SeccompProfile = seccompProfile,
        };
    }

    /// <summary>A profile in Docker's format, read and checked now: a bad one fails before anything is created.</summary>
    private static string ReadProfile(string path)
    {
        if (path.Length == 0) throw new UsageException("--security-opt seccomp= needs a profile file or \"unconfined\"");
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MiniRunException($"seccomp profile {path}: {UserMessages.Describe(e)}");
        }
        SeccompProfile.Parse(bytes, path);
        return Encoding.UTF8.GetString(bytes);
    }

    private static bool IsSet(ParsedArguments args, string name) => args.Get(name) is { } value && value != "false";
}
