using MiniRun.Runtime.Lifecycle;
using MiniRun.Cli.CommandLine;
using MiniRun.Containers;

namespace MiniRun.Cli.Verbs;

public sealed class ExecVerb : IVerb
{
    public string Name => "exec";
    public string Usage => "minirun exec [OPTIONS] CONTAINER COMMAND [ARG...]";
    public string Summary => "Run a command in a running container, in its namespaces and root";
    public bool StopAtFirstPositional => true;

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        OptionSpec.Value("env", 'e', "K=V", "Set an environment variable (repeatable)"),
        OptionSpec.Value("workdir", 'w', "DIR", "Working directory inside the container"),
        OptionSpec.Value("user", 'u', "USER[:GROUP]", "User name or UID, optionally with a group"),
        OptionSpec.Flag("interactive", 'i', "Keep stdin open (it always is)"),
        OptionSpec.Flag("tty", 't', "Accepted for Docker compatibility: the command uses minirun's own terminal"),
    ];

    public int Execute(ParsedArguments args, CliContext context)
    {
        if (args.Positionals.Count < 2) throw new UsageException("\"minirun exec\" requires at least 2 arguments: CONTAINER COMMAND (see 'minirun exec --help')");
        Container container = context.Containers.Resolve(args.Positionals[0]);
        var request = new ExecRequest(args.Positionals.Skip(1).ToList(), args.GetAll("env"), args.Get("workdir"), args.Get("user"));
        return ContainerExec.Run(context.Containers, container, request);
    }
}
