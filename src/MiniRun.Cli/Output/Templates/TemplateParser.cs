namespace MiniRun.Cli.Output.Templates;

/// <summary>
/// Parses the part of Go's text/template that `docker … --format` users type: fields, `json`, `index`, pipes,
/// `range` and `if` with `else`, `{{-` trimming. Errors read as Go's, so a Docker user's search finds them.
/// </summary>
public sealed class TemplateParser
{
    private readonly string _text;
    private int _position;

    private TemplateParser(string text) => _text = text;

    public static IReadOnlyList<TemplateNode> Parse(string text)
    {
        var parser = new TemplateParser(text);
        var (nodes, stop, at) = parser.ParseList();
        if (stop != null) throw parser.Error($"unexpected {{{{{stop}}}}}", at);
        return nodes;
    }

    /// <summary>Nodes up to `{{end}}`, `{{else}}` or the end of the text (null).</summary>
    private (List<TemplateNode> Nodes, string? Stop, int At) ParseList()
    {
        var nodes = new List<TemplateNode>();
        while (_position < _text.Length)
        {
            int open = _text.IndexOf("{{", _position, StringComparison.Ordinal);
            string literal = open < 0 ? _text[_position..] : _text[_position..open];
            if (open >= 0 && open + 2 < _text.Length && _text[open + 2] == '-' && open + 3 < _text.Length && char.IsWhiteSpace(_text[open + 3]))
                literal = literal.TrimEnd();
            if (literal.Length > 0) nodes.Add(new TextNode(literal));
            if (open < 0)
            {
                _position = _text.Length;
                break;
            }
            int close = FindClose(open);
            int start = open + 2, end = close;
            if (_text[start] == '-' && start + 1 < close && char.IsWhiteSpace(_text[start + 1])) start++;
            bool trimAfter = close - 1 > start && _text[close - 1] == '-' && char.IsWhiteSpace(_text[close - 2]);
            if (trimAfter) end--;
            _position = close + 2;
            if (trimAfter) while (_position < _text.Length && char.IsWhiteSpace(_text[_position])) _position++;

            var tokens = TemplateLexer.Tokenize(_text, start, end, this);
            if (tokens.Count == 0) throw Error("missing value for command", open);
            switch (tokens[0].Text)
            {
                case "end":
                case "else":
                    return (nodes, tokens[0].Text, open);
                case "range":
                    nodes.Add(ParseRange(tokens, open));
                    break;
                case "if":
                    var condition = new PipelineParser(tokens, 1, this).ParseAll();
                    var (body, stop, _) = ParseList();
                    var otherwise = stop == "else" ? ParseElse(open) : [];
                    if (stop == null) throw Error("unexpected EOF", _text.Length);
                    nodes.Add(new IfNode(condition, body, otherwise));
                    break;
                default:
                    nodes.Add(new ActionNode(new PipelineParser(tokens, 0, this).ParseAll()));
                    break;
            }
        }
        return (nodes, null, _text.Length);
    }

    private RangeNode ParseRange(List<Token> tokens, int open)
    {
        string? key = null, value = null;
        int first = 1;
        int declare = tokens.FindIndex(t => t.Text == ":=");
        if (declare > 0)
        {
            var names = tokens[1..declare].Where(t => t.Text != ",").Select(t => t.Text).ToList();
            if (names.Count is 0 or > 2 || names.Any(n => !n.StartsWith('$'))) throw Error("too many declarations in range", open);
            (key, value) = names.Count == 2 ? (names[0], names[1]) : (null, names[0]);
            first = declare + 1;
        }
        var pipeline = new PipelineParser(tokens, first, this).ParseAll();
        var (body, stop, _) = ParseList();
        var otherwise = stop == "else" ? ParseElse(open) : [];
        if (stop == null) throw Error("unexpected EOF", _text.Length);
        return new RangeNode(pipeline, key, value, body, otherwise);
    }

    private List<TemplateNode> ParseElse(int open)
    {
        var (nodes, stop, at) = ParseList();
        if (stop == null) throw Error("unexpected EOF", _text.Length);
        if (stop != "end") throw Error("expected end; found {{else}}", at);
        return nodes;
    }

    private int FindClose(int open)
    {
        int i = open + 2;
        while (i < _text.Length - 1)
        {
            char c = _text[i];
            if (c is '"' or '`')
            {
                int endQuote = _text.IndexOf(c, i + 1);
                if (endQuote < 0) throw Error("unterminated quoted string", open);
                i = endQuote + 1;
                continue;
            }
            if (c == '}' && _text[i + 1] == '}') return i;
            i++;
        }
        throw Error("unclosed action", open);
    }

    /// <summary>Go's parse error: `template: :LINE: message`.</summary>
    public TemplateException Error(string message, int offset) =>
        new($"template: :{TemplatePosition.Line(_text, offset)}: {message}", parsing: true);
}
