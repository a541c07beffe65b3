using MiniRun.Runtime.Lifecycle;
using MiniRun.Cli.CommandLine;
using MiniRun.Containers;

namespace MiniRun.Cli.Verbs;

public sealed class ExecVerb : IVerb
{
    public string Name => "exec";
    public string Usage => "minirun exec [OPTIONS] CONTAINER COMMAND [ARG...]";
    public string Summary => "Run a command in a running container, in its namespaces and root";
    public VerbGroup Group => VerbGroup.Common;
    public bool StopAtFirstPositional => true;

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        OptionSpec.Value("env", 'e', "K=V", "Set an environment variable (repeatable)"),
        OptionSpec.Value("workdir", 'w', "DIR", "Working directory inside the container"),
        OptionSpec.Value("user", 'u', "USER[:GROUP]", "User name or UID, optionally with a group"),
        OptionSpec.Flag("interactive", 'i', "Keep stdin open: with -t, what is typed goes to the command's terminal"),
        OptionSpec.Flag("tty", 't', "Allocate a pseudo-terminal of the container's devpts (TERM=xterm); this terminal is raw meanwhile"),
    ];

    public IReadOnlyList<VerbExample> Examples =>
    [
        new("A shell in a running container", "minirun exec -it web sh"),
        new("A command as another user, in another directory, with a variable", "minirun exec -u nobody -w /tmp -e MODE=test web env"),
    ];

    public int Execute(ParsedArguments args, CliContext context)
    {
        if (args.Positionals.Count < 2) throw UsageException.Arguments("\"minirun exec\" requires at least 2 arguments: CONTAINER COMMAND (see 'minirun exec --help')");
        if (args.Has("tty") && args.Has("interactive") && !Native.KernelFiles.IsTerminal(0)) return RunVerb.NotATerminal();
        Container container = context.Containers.Resolve(args.Positionals[0]);
        var request = new ExecRequest(args.Positionals.Skip(1).ToList(), args.GetAll("env"), args.Get("workdir"), args.Get("user"))
        {
            Tty = args.Has("tty"),
            Interactive = args.Has("interactive"),
        };
        return ContainerExec.Run(context.Containers, container, request);
    }
}
