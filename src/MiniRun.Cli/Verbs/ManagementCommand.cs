using MiniRun.Cli.CommandLine;

namespace MiniRun.Cli.Verbs;

/// <summary>One subcommand of a management command: the verb it runs and the flags put before the user's (inspect --type).</summary>
public sealed record Subcommand(string Name, IVerb Verb, params string[] Prefix);

/// <summary>
/// Docker's management commands, `minirun image ls` and `minirun container rm`: aliases of the top-level verbs, plus
/// the prunes that exist only here. Without a subcommand they list theirs, as `docker image` does. Program dispatches
/// the subcommands; as an <see cref="IVerb"/> a group is listed by `minirun --help` and offered by completion.
/// </summary>
public sealed record ManagementCommand(string Name, string Summary, IReadOnlyList<Subcommand> Subcommands) : IVerb
{
    public string Usage => $"minirun {Name} COMMAND";
    public IReadOnlyList<OptionSpec> Options => [];
    public VerbGroup Group => VerbGroup.Management;
    public IReadOnlyList<Operand> Operands => [new Operand(OperandKind.Words, Subcommands.Select(s => s.Name).ToList(), Repeats: false)];
    public bool NeedsRoot => false;

    public int Execute(ParsedArguments args, CliContext context)
    {
        WriteHelp(context.Out);
        return 0;
    }

    /// <summary>The groups over <paramref name="verbs"/> (the top-level list, found by name).</summary>
    public static IReadOnlyList<ManagementCommand> Over(IReadOnlyList<IVerb> verbs)
    {
        IVerb V(string name) => verbs.First(v => v.Name == name);
        return
        [
            new("image", "Manage images",
            [
                new("history", V("history")), new("import", V("import")), new("inspect", V("inspect"), "--type", "image"),
                new("load", V("load")), new("ls", V("images")), new("prune", new ImagePruneVerb()), new("pull", V("pull")),
                new("rm", V("rmi")), new("save", V("save")), new("tag", V("tag")),
            ]),
            new("container", "Manage containers",
            [
                new("attach", V("attach")), new("commit", V("commit")), new("cp", V("cp")), new("create", V("create")),
                new("diff", V("diff")), new("exec", V("exec")), new("export", V("export")), new("inspect", V("inspect"), "--type", "container"),
                new("kill", V("kill")), new("logs", V("logs")), new("ls", V("ps")), new("pause", V("pause")), new("port", V("port")),
                new("prune", new ContainerPruneVerb()), new("ps", V("ps")), new("rename", V("rename")), new("rm", V("rm")),
                new("run", V("run")), new("start", V("start")), new("stats", V("stats")), new("stop", V("stop")), new("top", V("top")),
                new("unpause", V("unpause")), new("wait", V("wait")),
            ]),
        ];
    }

    /// <summary>The subcommand named <paramref name="name"/>; an unknown one exits 1, as `docker image bogus`.</summary>
    public Subcommand Find(string name) =>
        Subcommands.FirstOrDefault(s => s.Name == name)
        ?? throw UsageException.Arguments($"'{name}' is not a 'minirun {Name}' command (see 'minirun {Name} --help')");

    /// <summary>`docker image`'s page: the usage line, then each subcommand with its verb's summary.</summary>
    public void WriteHelp(TextWriter output)
    {
        output.WriteLine($"Usage:  minirun {Name} COMMAND\n\n{Summary}\n\nCommands:");
        foreach (Subcommand sub in Subcommands.Where(s => s.Name != "ps")) // ps is ls's other name, as Docker's page shows only ls
            output.WriteLine($"  {sub.Name,-11} {sub.Verb.Summary}");
        output.WriteLine($"\nRun 'minirun {Name} COMMAND --help' for more information on a command.");
    }
}
