namespace MiniRun.Cli.Output.Templates;

/// <summary>One parsed piece of a Go text/template: literal text, an action, or a block.</summary>
public abstract record TemplateNode;

public sealed record TextNode(string Text) : TemplateNode;

/// <summary>`{{pipeline}}`: prints the pipeline's value.</summary>
public sealed record ActionNode(Pipeline Pipeline) : TemplateNode;

/// <summary>`{{range [$k, $v :=] pipeline}}…{{else}}…{{end}}`.</summary>
public sealed record RangeNode(Pipeline Pipeline, string? KeyVariable, string? ValueVariable, IReadOnlyList<TemplateNode> Body, IReadOnlyList<TemplateNode> Else) : TemplateNode;

/// <summary>`{{if pipeline}}…{{else}}…{{end}}`.</summary>
public sealed record IfNode(Pipeline Pipeline, IReadOnlyList<TemplateNode> Body, IReadOnlyList<TemplateNode> Else) : TemplateNode;

/// <summary>Commands joined by `|`: each one's result is the last argument of the next.</summary>
public sealed record Pipeline(IReadOnlyList<TemplateCommand> Commands);

/// <summary>A function name with its arguments, or a single operand.</summary>
public sealed record TemplateCommand(string? Function, IReadOnlyList<Operand> Arguments);

/// <summary>An argument: `.A.B`, `$v.A`, a string or number literal, or a parenthesised pipeline.</summary>
public sealed record Operand(OperandKind Kind, string? Variable, IReadOnlyList<string> Fields, string? Literal, Pipeline? Inner, int Offset, string Source);

public enum OperandKind { Dot, Variable, String, Number, Pipeline }
