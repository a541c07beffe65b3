using MiniRun.Cli.CommandLine;
using MiniRun.Cli.Verbs;

namespace MiniRun.Cli.Completion;

/// <summary>`minirun completion bash|zsh`: print the shell's completion script (`make install` installs both).</summary>
public sealed class CompletionVerb(Func<IReadOnlyList<IVerb>> verbs) : IVerb
{
    /// <summary>It touches neither the store nor the kernel: any user may run it.</summary>
    public bool NeedsRoot => false;
    public string Name => "completion";
    public string Usage => "minirun completion bash|zsh";
    public string Summary => "Print the completion script for bash or zsh: verbs, flags, container and image names";
    public IReadOnlyList<OptionSpec> Options { get; } = [];

    public IReadOnlyList<VerbExample> Examples =>
    [
        new("Complete minirun in this bash session", "source <(minirun completion bash)"),
        new("Install the zsh script where zsh's compinit finds it", "minirun completion zsh > /usr/local/share/zsh/site-functions/_minirun"),
    ];

    public int Execute(ParsedArguments args, CliContext context)
    {
        string script = args.Positionals switch
        {
            ["bash"] => CompletionScript.Bash(verbs()),
            ["zsh"] => CompletionScript.Zsh(verbs()),
            [] => throw new UsageException("\"minirun completion\" requires 1 argument: bash or zsh (see 'minirun completion --help')"),
            [string shell] => throw new UsageException($"minirun completion {shell}: only bash and zsh are supported"),
            _ => throw new UsageException("\"minirun completion\" takes 1 argument: bash or zsh"),
        };
        context.Out.Write(script);
        return 0;
    }
}
