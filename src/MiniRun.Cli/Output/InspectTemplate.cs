using System.Text;
using System.Text.Json;
using MiniRun.Cli.Output.Templates;

namespace MiniRun.Cli.Output;

/// <summary>
/// `inspect --format`, as Docker's TemplateInspector: one line per document, in the order asked; a document the
/// template fails on gives an error line (after the output) instead, and an empty output still prints one empty line.
/// </summary>
public static class InspectTemplate
{
    /// <summary>Docker's status for a template that does not parse (its cli.StatusError 64).</summary>
    public const int ParseFailure = 64;

    /// <summary>The template, or null after printing Docker's parse error.</summary>
    public static GoTemplate? Parse(string format)
    {
        try
        {
            return GoTemplate.Parse(format);
        }
        catch (TemplateException e)
        {
            ErrorPrinter.Print("template parsing error: " + e.Message);
            return null;
        }
    }

    /// <summary>Writes every document through the template; false (after printing why) when one failed.</summary>
    public static bool Write(GoTemplate template, IEnumerable<JsonElement> documents, TextWriter output)
    {
        var buffer = new StringBuilder();
        var failures = new List<TemplateException>();
        foreach (JsonElement document in documents)
        {
            try
            {
                buffer.Append(template.Execute(document)).Append('\n');
            }
            catch (TemplateException e)
            {
                failures.Add(e);
            }
        }
        output.Write(buffer.Length == 0 ? "\n" : buffer.ToString());
        foreach (TemplateException failure in failures) ErrorPrinter.Print("template parsing error: " + failure.Message);
        return failures.Count == 0;
    }
}
