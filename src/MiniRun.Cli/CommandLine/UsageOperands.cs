namespace MiniRun.Cli.CommandLine;

/// <summary>
/// A verb's operands read from its usage line, so that the line a user reads in --help is also what completion
/// offers: CONTAINER gives container names, IMAGE image names, NAME|ID either, lower-case a|b|c those words, and a
/// trailing [X...] repeats. Flags in brackets ([-t SECONDS], [OPTIONS]) are skipped.
/// </summary>
public static class UsageOperands
{
    public static List<Operand> Parse(string usage)
    {
        // `cp` has two forms ("… or …"); the first one's operands stand for both.
        int or = usage.IndexOf("   or   ", StringComparison.Ordinal);
        if (or >= 0) usage = usage[..or];
        string[] alternatives = usage.Split(" | ");
        List<string> tokens = Tokens(alternatives[0]);
        var operands = new List<Operand>();
        // "volume create [NAME] | ls [-q] | …": the first word of each form is a subcommand.
        if (alternatives.Length > 1)
        {
            var words = new List<string>();
            if (tokens.Count > 2) words.Add(tokens[2]);
            for (int i = 1; i < alternatives.Length; i++)
                if (Tokens(alternatives[i]) is [string first, ..]) words.Add(first);
            operands.Add(new Operand(OperandKind.Words, words, Repeats: false));
            return operands;
        }
        for (int i = 2; i < tokens.Count; i++) // after "minirun VERB"
        {
            string token = tokens[i];
            if (token.StartsWith('-') || token.StartsWith("[-", StringComparison.Ordinal) || token == "[OPTIONS]") continue;
            bool repeats = token.EndsWith("...", StringComparison.Ordinal) || token.EndsWith("...]", StringComparison.Ordinal);
            string core = token.TrimStart('[').Replace("...", "", StringComparison.Ordinal);
            if (core.EndsWith(']') && !core.Contains('[')) core = core.TrimEnd(']');
            Operand operand = Classify(core);
            // "CONTAINER [CONTAINER...]": the second only says that the first repeats.
            if (repeats && operands.Count > 0 && operands[^1].Kind == operand.Kind && operands[^1].Words.SequenceEqual(operand.Words))
                operands[^1] = operands[^1] with { Repeats = true };
            else operands.Add(operand with { Repeats = repeats });
        }
        return operands;
    }

    private static Operand Classify(string core)
    {
        if (core.Length > 0 && core.All(c => c is (>= 'a' and <= 'z') or '|' or '-'))
            return new Operand(OperandKind.Words, core.Split('|'), Repeats: false);
        bool container = core.Contains("CONTAINER", StringComparison.Ordinal) || core == "NAME|ID";
        bool image = core.Contains("IMAGE", StringComparison.Ordinal) || core == "NAME|ID";
        return Operand.Of(container && image ? OperandKind.ContainerOrImage : container ? OperandKind.Container
            : image ? OperandKind.Image : OperandKind.Any);
    }

    /// <summary>Words split at spaces, a bracketed group ("[-i PATH]") kept as one.</summary>
    private static List<string> Tokens(string text)
    {
        var tokens = new List<string>();
        int depth = 0, start = -1;
        for (int i = 0; i <= text.Length; i++)
        {
            char c = i < text.Length ? text[i] : ' ';
            if (c == ' ' && depth == 0)
            {
                if (start >= 0) tokens.Add(text[start..i]);
                start = -1;
                continue;
            }
            if (start < 0) start = i;
            if (c == '[') depth++;
            else if (c == ']') depth = Math.Max(0, depth - 1);
        }
        return tokens;
    }
}
