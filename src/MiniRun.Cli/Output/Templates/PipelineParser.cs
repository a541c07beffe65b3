using System.Text;

namespace MiniRun.Cli.Output.Templates;

/// <summary>Turns an action's tokens into a <see cref="Pipeline"/>: commands separated by `|`, operands, `( … )`.</summary>
public sealed class PipelineParser(List<Token> tokens, int start, TemplateParser parser)
{
    private int _index = start;

    public Pipeline ParseAll()
    {
        Pipeline pipeline = ParsePipeline();
        if (_index < tokens.Count) throw parser.Error($"unexpected \"{tokens[_index].Text}\" in command", tokens[_index].Offset);
        return pipeline;
    }

    private Pipeline ParsePipeline()
    {
        var commands = new List<TemplateCommand>();
        while (true)
        {
            commands.Add(ParseCommand());
            if (_index < tokens.Count && tokens[_index].Text == "|") _index++;
            else return new Pipeline(commands);
        }
    }

    private TemplateCommand ParseCommand()
    {
        if (_index >= tokens.Count || tokens[_index].Text is "|" or ")")
            throw parser.Error("missing value for command", _index < tokens.Count ? tokens[_index].Offset : 0);
        string? function = null;
        Token first = tokens[_index];
        if (char.IsLetter(first.Text[0]))
        {
            if (first.Text is "true" or "false" or "nil") throw parser.Error($"{first.Text} is not supported by minirun's --format", first.Offset);
            if (!TemplateFunctions.Exists(first.Text)) throw parser.Error($"function \"{first.Text}\" not defined", first.Offset);
            function = first.Text;
            _index++;
        }
        var arguments = new List<Operand>();
        while (_index < tokens.Count && tokens[_index].Text is not ("|" or ")")) arguments.Add(ParseOperand());
        return new TemplateCommand(function, arguments);
    }

    private Operand ParseOperand()
    {
        Token token = tokens[_index++];
        string text = token.Text;
        if (text == "(")
        {
            Pipeline inner = ParsePipeline();
            if (_index >= tokens.Count || tokens[_index].Text != ")") throw parser.Error("unclosed left paren", token.Offset);
            _index++;
            return new Operand(OperandKind.Pipeline, null, [], null, inner, token.Offset, "(…)");
        }
        if (text[0] is '"' or '`') return new Operand(OperandKind.String, null, [], Unquote(text), null, token.Offset, text);
        if (char.IsDigit(text[0]) || text[0] == '-') return new Operand(OperandKind.Number, null, [], text, null, token.Offset, text);
        if (text[0] == '.')
            return new Operand(OperandKind.Dot, null, text == "." ? [] : Fields(text[1..], token), null, null, token.Offset, text);
        if (text[0] == '$')
        {
            int dot = text.IndexOf('.');
            string name = dot < 0 ? text : text[..dot];
            return new Operand(OperandKind.Variable, name, dot < 0 ? [] : Fields(text[(dot + 1)..], token), null, null, token.Offset, text);
        }
        if (char.IsLetter(text[0])) throw parser.Error($"function \"{text}\" not defined", token.Offset);
        throw parser.Error($"unexpected \"{text}\" in command", token.Offset);
    }

    private string[] Fields(string chain, Token token)
    {
        string[] fields = chain.Split('.');
        if (fields.Any(f => f.Length == 0)) throw parser.Error($"bad character U+002E '.'", token.Offset);
        return fields;
    }

    /// <summary>Go's string literals: "…" with backslash escapes, `…` raw.</summary>
    private static string Unquote(string text)
    {
        if (text[0] == '`') return text[1..^1];
        var result = new StringBuilder();
        for (int i = 1; i < text.Length - 1; i++)
        {
            char c = text[i];
            if (c != '\\' || i + 1 >= text.Length - 1)
            {
                result.Append(c);
                continue;
            }
            char next = text[++i];
            result.Append(next switch { 'n' => '\n', 't' => '\t', 'r' => '\r', '0' => '\0', _ => next });
        }
        return result.ToString();
    }
}
