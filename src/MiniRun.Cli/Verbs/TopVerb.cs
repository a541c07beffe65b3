using MiniRun.Cli.CommandLine;
using MiniRun.Cli.Output;
using MiniRun.Containers;

namespace MiniRun.Cli.Verbs;

/// <summary>`top CONTAINER`: its processes as the host's `ps -ef` shows them, as docker top.</summary>
public sealed class TopVerb : IVerb
{
    public string Name => "top";
    public string Usage => "minirun top CONTAINER";
    public string Summary => "Display the running processes of a container (host PIDs, as ps -ef shows them)";
    public IReadOnlyList<OptionSpec> Options { get; } = [];

    public int Execute(ParsedArguments args, CliContext context)
    {
        if (args.Positionals.Count != 1) throw UsageException.Arguments("\"minirun top\" requires exactly 1 argument: CONTAINER (see 'minirun top --help')");
        var table = new Table("UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD");
        foreach (ProcessRow row in ContainerProcesses.List(context.Containers, context.Containers.Resolve(args.Positionals[0])))
            table.Add(row.Uid, row.Pid.ToString(), row.ParentPid.ToString(), "0", row.Started, row.Tty, row.Time, row.Command);
        table.WriteTo(context.Out);
        return 0;
    }
}
