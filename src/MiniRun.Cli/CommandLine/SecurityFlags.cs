using MiniRun.Containers;
using MiniRun.Sandbox;

namespace MiniRun.Cli.CommandLine;

/// <summary>--cap-add, --cap-drop, --privileged, --read-only and --security-opt, as Docker spells them.</summary>
public static class SecurityFlags
{
    public static ContainerSecurity Parse(ParsedArguments args)
    {
        var add = args.GetAll("cap-add").ToList();
        var drop = args.GetAll("cap-drop").ToList();
        foreach (string name in add.Concat(drop).Where(n => !n.Equals("ALL", StringComparison.OrdinalIgnoreCase)))
            Capabilities.Parse(name); // an unknown name fails here, before anything is created
        bool noNewPrivileges = false;
        foreach (string option in args.GetAll("security-opt"))
            noNewPrivileges = option switch
            {
                "no-new-privileges" or "no-new-privileges:true" or "no-new-privileges=true" => true,
                "no-new-privileges:false" or "no-new-privileges=false" => false,
                _ => throw new UsageException($"--security-opt {option}: only no-new-privileges is supported"),
            };
        return new ContainerSecurity
        {
            CapAdd = add,
            CapDrop = drop,
            Privileged = IsSet(args, "privileged"),
            ReadOnlyRootfs = IsSet(args, "read-only"),
            NoNewPrivileges = noNewPrivileges,
        };
    }

    private static bool IsSet(ParsedArguments args, string name) => args.Get(name) is { } value && value != "false";
}
