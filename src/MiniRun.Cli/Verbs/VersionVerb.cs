using System.Text.Json;
using MiniRun.Cli.CommandLine;
using MiniRun.Cli.Output;

namespace MiniRun.Cli.Verbs;

/// <summary>`version`: Docker's Client section (MiniRun has no server); --format over {"Client": {...}} as `docker version`'s.</summary>
public sealed class VersionVerb : IVerb
{
    public const string Number = "0.1.0";

    public VerbGroup Group => VerbGroup.Common;
    public string Name => "version";
    public string Usage => "minirun version [--format TEMPLATE]";
    public string Summary => "Show the MiniRun version information";
    public bool NeedsRoot => false;

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        OptionSpec.Value("format", 'f', "TEMPLATE", "Format output using a Go template ({{.Client.Version}}, {{json .}})"),
    ];

    public int Execute(ParsedArguments args, CliContext context)
    {
        if (args.Positionals.Count > 0) throw UsageException.Arguments("\"minirun version\" accepts no arguments (see 'minirun version --help')");
        string arch = MiniRun.Images.Platforms.Architecture;
        if (args.Get("format") is { Length: > 0 } format)
        {
            JsonElement document = JsonDocumentWriter.Build(w =>
            {
                w.WriteStartObject("Client");
                w.WriteString("Platform", "MiniRun");
                w.WriteString("Version", Number);
                w.WriteString("RuntimeVersion", Environment.Version.ToString());
                w.WriteString("Os", "linux");
                w.WriteString("Arch", arch);
                w.WriteEndObject();
                w.WriteNull("Server");
            });
            return InspectTemplate.Parse(format) is { } template ? InspectTemplate.Write(template, [document], context.Out) ? 0 : 1 : InspectTemplate.ParseFailure;
        }
        context.Out.WriteLine("Client:");
        context.Out.WriteLine($" Version:           {Number}");
        context.Out.WriteLine($" .NET version:      {Environment.Version}");
        context.Out.WriteLine($" OS/Arch:           linux/{arch}");
        context.Out.WriteLine(" Server:            none (MiniRun has no daemon: each command does its own work)");
        return 0;
    }
}
