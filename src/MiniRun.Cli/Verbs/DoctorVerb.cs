using MiniRun.Cli.CommandLine;
using MiniRun.Diagnostics;

namespace MiniRun.Cli.Verbs;

/// <summary>`minirun doctor`: one line per check of what this machine offers; exit 1 when an essential one fails.</summary>
public sealed class DoctorVerb : IVerb
{
    public string Name => "doctor";
    public string Usage => "minirun doctor";
    public string Summary => "Check what this machine offers containers (root, overlayfs, d_type, namespaces, cgroups)";
    public VerbGroup Group => VerbGroup.MiniRun;
    public int FailureStatus => 125;
    /// <summary>It reports whether this is root; it changes nothing.</summary>
    public bool NeedsRoot => false;
    public IReadOnlyList<OptionSpec> Options { get; } = [];

    public int Execute(ParsedArguments args, CliContext context)
    {
        if (args.Positionals.Count > 0) throw new UsageException("\"minirun doctor\" accepts no arguments");
        IReadOnlyList<HostCheck> checks = HostDoctor.Run(context.Paths);
        foreach (HostCheck check in checks) context.Out.WriteLine(check);
        return HostDoctor.AllEssentialPass(checks) ? 0 : 1;
    }
}
