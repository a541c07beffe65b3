using System.Text;
using System.Text.Json;

namespace MiniRun.Cli.Output.Templates;

/// <summary>
/// A parsed --format template (Go text/template, the part Docker users type), run over JSON documents with no
/// reflection: it walks <see cref="JsonElement"/> trees, so it works under NativeAOT.
/// </summary>
public sealed class GoTemplate
{
    private readonly string _text;
    private readonly IReadOnlyList<TemplateNode> _nodes;
    private readonly string? _rowType;

    /// <param name="rowType">Go's type name of the document when it is a struct of its own (ps's
    /// `*formatter.ContainerContext`): a missing field then says "can't evaluate field"; null for inspect's
    /// documents, where Docker falls back to a map and says "map has no entry for key". A row is flat: its only
    /// object is itself.</param>
    private GoTemplate(string text, IReadOnlyList<TemplateNode> nodes, string? rowType) => (_text, _nodes, _rowType) = (text, nodes, rowType);

    public static GoTemplate Parse(string text, string? rowType = null) => new(text, TemplateParser.Parse(text), rowType);

    /// <summary>The template's output for one document; throws <see cref="TemplateException"/> as Go's Execute fails.</summary>
    public string Execute(JsonElement document)
    {
        var output = new StringBuilder();
        var root = TemplateValue.Of(document) with { IsRow = _rowType is not null };
        Run(_nodes, root, new Dictionary<string, TemplateValue> { ["$"] = root }, output);
        return output.ToString();
    }

    private void Run(IReadOnlyList<TemplateNode> nodes, TemplateValue dot, Dictionary<string, TemplateValue> variables, StringBuilder output)
    {
        foreach (TemplateNode node in nodes)
            switch (node)
            {
                case TextNode text:
                    output.Append(text.Text);
                    break;
                case ActionNode action:
                    output.Append(Evaluate(action.Pipeline, dot, variables).ToString());
                    break;
                case IfNode condition:
                    Run(Evaluate(condition.Pipeline, dot, variables).IsTrue ? condition.Body : condition.Else, dot, variables, output);
                    break;
                case RangeNode range:
                    RunRange(range, dot, variables, output);
                    break;
            }
    }

    private void RunRange(RangeNode range, TemplateValue dot, Dictionary<string, TemplateValue> variables, StringBuilder output)
    {
        TemplateValue over = Evaluate(range.Pipeline, dot, variables);
        var items = new List<(TemplateValue Key, TemplateValue Value)>();
        if (over.IsJson && over.Element.ValueKind == JsonValueKind.Array)
            items.AddRange(over.Element.EnumerateArray().Select((e, i) => (TemplateValue.Of(i.ToString()), TemplateValue.Of(e))));
        else if (over.IsJson && over.Element.ValueKind == JsonValueKind.Object)
            items.AddRange((over.IsMap ? TemplateValue.Sorted(over.Element) : over.Element.EnumerateObject())
                .Select(p => (TemplateValue.Of(p.Name), TemplateValue.Of(p.Value, TemplateMaps.IsMap(p.Name)))));
        else if (!over.NoValue && !(over.IsJson && over.Element.ValueKind == JsonValueKind.Null))
            throw ExecutionError(range.Pipeline.Commands[0].Arguments.FirstOrDefault(), $"range can't iterate over {over}");
        if (items.Count == 0)
        {
            Run(range.Else, dot, variables, output);
            return;
        }
        foreach (var (key, value) in items)
        {
            var scope = new Dictionary<string, TemplateValue>(variables);
            if (range.KeyVariable is { } k) scope[k] = key;
            if (range.ValueVariable is { } v) scope[v] = value;
            Run(range.Body, value, scope, output);
        }
    }

    private TemplateValue Evaluate(Pipeline pipeline, TemplateValue dot, Dictionary<string, TemplateValue> variables)
    {
        TemplateValue? previous = null;
        foreach (TemplateCommand command in pipeline.Commands)
        {
            var args = command.Arguments.Select(a => Evaluate(a, dot, variables)).ToList();
            if (previous is { } piped) args.Add(piped);
            if (command.Function is null)
            {
                if (args.Count != 1) throw ExecutionError(command.Arguments.LastOrDefault(), $"can't give argument to non-function {command.Arguments[0].Source}");
                previous = args[0];
                continue;
            }
            try
            {
                previous = TemplateFunctions.Call(command.Function, args);
            }
            catch (InvalidOperationException e)
            {
                throw ExecutionError(command.Arguments.FirstOrDefault(), $"error calling {command.Function}: {e.Message}");
            }
        }
        return previous ?? TemplateValue.Missing;
    }

    private TemplateValue Evaluate(Operand operand, TemplateValue dot, Dictionary<string, TemplateValue> variables)
    {
        switch (operand.Kind)
        {
            case OperandKind.String:
            case OperandKind.Number:
                return TemplateValue.Of(operand.Literal!);
            case OperandKind.Pipeline:
                return Evaluate(operand.Inner!, dot, variables);
        }
        TemplateValue value = operand.Kind == OperandKind.Dot ? dot
            : variables.TryGetValue(operand.Variable!, out TemplateValue found) ? found
            : throw new TemplateException($"template: :{TemplatePosition.Line(_text, operand.Offset)}: undefined variable \"{operand.Variable}\"", parsing: true);
        foreach (string field in operand.Fields)
        {
            if (!value.IsJson || value.Element.ValueKind != JsonValueKind.Object)
                throw ExecutionError(operand, value.NoValue ? $"nil pointer evaluating interface {{}}.{field}" : $"can't evaluate field {field} in type {TypeName(value)}");
            if (value.Element.TryGetProperty(field, out JsonElement child)) value = TemplateValue.Of(child, TemplateMaps.IsMap(field));
            else if (value.IsMap) value = TemplateValue.Missing;
            else throw ExecutionError(operand, _rowType is { } type ? $"can't evaluate field {field} in type {type}" : $"map has no entry for key \"{field}\"");
        }
        return value;
    }

    private static string TypeName(TemplateValue value) => value.Text is not null ? "string" : value.Element.ValueKind switch
    {
        JsonValueKind.String => "string",
        JsonValueKind.Number => "float64",
        JsonValueKind.True or JsonValueKind.False => "bool",
        JsonValueKind.Array => "[]interface {}",
        _ => "interface {}",
    };

    /// <summary>Go's execution error: `template: :LINE:COL: executing "" at &lt;.X.Y&gt;: reason`, at the last field of the chain.</summary>
    private TemplateException ExecutionError(Operand? operand, string reason)
    {
        int offset = operand is null ? 0 : operand.Offset + Math.Max(0, operand.Source.LastIndexOf('.'));
        string at = operand is null ? "" : $" at <{operand.Source}>";
        return new TemplateException(
            $"template: :{TemplatePosition.Line(_text, offset)}:{TemplatePosition.Column(_text, offset)}: executing \"\"{at}: {reason}", parsing: false);
    }
}
