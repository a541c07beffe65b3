namespace MiniRun.Cli.Output.Templates;

/// <summary>A --format template that does not parse or cannot run on a document; the message is Go's (`template: :1: …`).</summary>
public sealed class TemplateException(string message, bool parsing) : MiniRunException(message)
{
    /// <summary>True when the text itself is wrong; false when it failed on the data (a missing field).</summary>
    public bool Parsing { get; } = parsing;
}
