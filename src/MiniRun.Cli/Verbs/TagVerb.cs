using MiniRun.Cli.CommandLine;

namespace MiniRun.Cli.Verbs;

public sealed class TagVerb : IVerb
{
    public string Name => "tag";
    public string Usage => "minirun tag SOURCE_IMAGE TARGET_IMAGE[:TAG]";
    public string Summary => "Give an image another name";

    public IReadOnlyList<OptionSpec> Options { get; } = [];

    public int Execute(ParsedArguments args, CliContext context)
    {
        if (args.Positionals.Count != 2) throw UsageException.Arguments("\"minirun tag\" requires exactly 2 arguments (see 'minirun tag --help')");
        context.Images.Tag(args.Positionals[0], args.Positionals[1]);
        return 0;
    }
}
