namespace MiniRun.Cli.Output.Templates;

/// <summary>Go's template positions: lines from 1, columns as byte offsets from 0 within the line.</summary>
public static class TemplatePosition
{
    public static int Line(string text, int offset) => 1 + text.AsSpan(0, Math.Min(offset, text.Length)).Count('\n');

    public static int Column(string text, int offset) => offset - (text.LastIndexOf('\n', Math.Max(0, offset - 1)) + 1);
}
