using MiniRun.Cli.CommandLine;
using MiniRun.Cli.Verbs;

namespace MiniRun.Cli.Help;

/// <summary>`minirun help [COMMAND]`: the same pages as `minirun --help` and `minirun COMMAND --help`.</summary>
public sealed class HelpVerb(Func<IReadOnlyList<IVerb>> verbs) : IVerb
{
    /// <summary>It touches neither the store nor the kernel: any user may run it.</summary>
    public bool NeedsRoot => false;
    public string Name => "help";
    public string Usage => "minirun help [COMMAND]";
    public string Summary => "Help about any command";
    public VerbGroup Group => VerbGroup.Hidden;
    public IReadOnlyList<OptionSpec> Options { get; } = [];
    public IReadOnlyList<Operand> Operands { get; } = [Operand.Of(OperandKind.Verb)];

    public int Execute(ParsedArguments args, CliContext context)
    {
        if (args.Positionals.Count == 0)
        {
            HelpPrinter.PrintMain(context.Out, verbs(), HelpPrinter.Width);
            return 0;
        }
        string name = args.Positionals[0];
        foreach (IVerb verb in verbs())
        {
            if (verb.Name != name) continue;
            HelpPrinter.PrintVerb(context.Out, verb, HelpPrinter.Width);
            return 0;
        }
        throw new UsageException($"unknown help topic: {name} (see 'minirun --help')");
    }
}
