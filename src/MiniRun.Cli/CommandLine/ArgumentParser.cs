namespace MiniRun.Cli.CommandLine;

/// <summary>
/// Docker's command-line grammar: `--name value`, `--name=value`, `-e K=V`, `-eK=V`, grouped booleans (`-it`),
/// `--` to end options. With <c>stopAtFirstPositional</c> (run: IMAGE [CMD [ARG...]]) every token after the first
/// positional belongs to it, so `minirun run img sh -c 'echo hi'` passes `-c` to sh.
/// </summary>
public static class ArgumentParser
{
    public static ParsedArguments Parse(string verb, IReadOnlyList<string> args, IReadOnlyList<OptionSpec> options, bool stopAtFirstPositional = false)
    {
        var result = new ParsedArguments();
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (arg == "--")
            {
                AddRest(result, args, i + 1);
                break;
            }
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                string name = arg[2..];
                string? inline = null;
                int eq = name.IndexOf('=');
                if (eq >= 0) (name, inline) = (name[..eq], name[(eq + 1)..]);
                OptionSpec spec = Find(options, o => o.Long == name)
                    ?? throw new UsageException($"unknown flag: --{name} (see 'minirun {verb} --help')");
                if (spec.TakesValue) result.Add(spec.Long, inline ?? Next(verb, args, ref i, "--" + name));
                else result.Add(spec.Long, inline ?? "true");
                continue;
            }
            if (arg.Length > 1 && arg[0] == '-')
            {
                // A group of one-letter flags; a value-taking one swallows the rest of the token or the next token.
                for (int j = 1; j < arg.Length; j++)
                {
                    char letter = arg[j];
                    OptionSpec spec = Find(options, o => o.Short == letter)
                        ?? throw new UsageException($"unknown shorthand flag: '{arg[j]}' in {arg} (see 'minirun {verb} --help')");
                    if (!spec.TakesValue)
                    {
                        // Docker's booleans take a value after '=': `docker commit -p=false`.
                        if (j + 1 < arg.Length && arg[j + 1] == '=')
                        {
                            result.Add(spec.Long, arg[(j + 2)..]);
                            break;
                        }
                        result.Add(spec.Long, "true");
                        continue;
                    }
                    string rest = arg[(j + 1)..];
                    result.Add(spec.Long, rest.Length > 0 ? rest.TrimStart('=') : Next(verb, args, ref i, "-" + arg[j]));
                    break;
                }
                continue;
            }
            result.Positionals.Add(arg);
            if (stopAtFirstPositional)
            {
                AddRest(result, args, i + 1);
                break;
            }
        }
        return result;
    }

    // Loops, not LINQ: every `run` parses its flags before it starts anything, and generic LINQ's first calls cost
    // NativeAOT run-time lookups (tens of microseconds).
    private static OptionSpec? Find(IReadOnlyList<OptionSpec> options, Func<OptionSpec, bool> matches)
    {
        foreach (OptionSpec option in options)
            if (matches(option)) return option;
        return null;
    }

    private static void AddRest(ParsedArguments result, IReadOnlyList<string> args, int from)
    {
        for (int k = from; k < args.Count; k++) result.Positionals.Add(args[k]);
    }

    private static string Next(string verb, IReadOnlyList<string> args, ref int i, string flag)
    {
        if (i + 1 >= args.Count) throw new UsageException($"flag needs an argument: {flag} (see 'minirun {verb} --help')");
        return args[++i];
    }
}
