namespace MiniRun.Cli.Output.Templates;

/// <summary>One word of an action: a field chain, a variable, a name, a literal, or `|`, `(`, `)`, `,`, `:=`.</summary>
public readonly record struct Token(string Text, int Offset);

/// <summary>Splits the inside of `{{ … }}` into tokens, keeping each one's offset for Go's `:LINE:COL` in errors.</summary>
public static class TemplateLexer
{
    public static List<Token> Tokenize(string text, int start, int end, TemplateParser parser)
    {
        var tokens = new List<Token>();
        int i = start;
        while (i < end)
        {
            char c = text[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c is '|' or '(' or ')' or ',')
            {
                tokens.Add(new Token(c.ToString(), i++));
                continue;
            }
            if (c == ':' && i + 1 < end && text[i + 1] == '=')
            {
                tokens.Add(new Token(":=", i));
                i += 2;
                continue;
            }
            int from = i;
            if (c is '"' or '`')
            {
                i++;
                while (i < end && text[i] != c) i += text[i] == '\\' && c == '"' ? 2 : 1;
                if (i >= end) throw parser.Error("unterminated quoted string", from);
                i++;
            }
            else
                while (i < end && !char.IsWhiteSpace(text[i]) && text[i] is not ('|' or '(' or ')' or ',')
                       && !(text[i] == ':' && i + 1 < end && text[i + 1] == '='))
                    i++;
            tokens.Add(new Token(text[from..i], from));
        }
        return tokens;
    }
}
