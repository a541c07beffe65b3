using MiniRun.Cli.CommandLine;
using MiniRun.Cli.Runtime;
using MiniRun.Cli.Verbs;

namespace MiniRun.Cli.Help;

/// <summary>`minirun --help` and `minirun VERB --help`, generated from the verbs' declarations in Docker's layout.</summary>
public static class HelpPrinter
{
    private static readonly (VerbGroup Group, string Heading)[] Headings =
    [
        (VerbGroup.Common, "Common Commands:"), (VerbGroup.Management, "Management Commands:"),
        (VerbGroup.Other, "Commands:"), (VerbGroup.MiniRun, "MiniRun Commands:"),
    ];

    /// <summary>The terminal's width, as Docker wraps its help; 80 when the output is no terminal.</summary>
    public static int Width
    {
        get
        {
            if (Console.IsOutputRedirected) return 80;
            try
            {
                return Math.Max(60, Console.WindowWidth);
            }
            catch (IOException)
            {
                return 80;
            }
        }
    }

    public static void PrintMain(TextWriter output, IReadOnlyList<IVerb> verbs, int width)
    {
        output.WriteLine("Usage:  minirun [OPTIONS] COMMAND\n\nA minimal container runtime that shows its work");
        int nameWidth = "runtime".Length; // one column for every group, as Docker's
        foreach (IVerb verb in verbs) nameWidth = Math.Max(nameWidth, verb.Name.Length);
        foreach ((VerbGroup group, string heading) in Headings)
        {
            var rows = new List<(string, string)>();
            foreach (IVerb verb in verbs)
                if (verb.Group == group) rows.Add((verb.Name, verb.Summary));
            // Docker lists its common commands by use, the rest alphabetically.
            if (group == VerbGroup.Other) rows.Sort((a, b) => string.CompareOrdinal(a.Item1, b.Item1));
            if (group == VerbGroup.MiniRun)
                rows.Add(("runtime", $"MiniRun as an OCI runtime, with runc's command line (also as {RuntimeCommandLine.LinkName})"));
            if (rows.Count == 0) continue;
            output.WriteLine($"\n{heading}");
            TextColumns.Write(output, rows, width, minLeftWidth: nameWidth);
        }
        output.WriteLine("\nGlobal Options:");
        TextColumns.Write(output,
        [
            ("    --root DIR", "The store (default /var/lib/minirun, or $MINIRUN_ROOT)"),
            ("    --storage-driver DRIVER", "For a new store: overlay (default), vfs (full copies) or btrfs (snapshots); a store keeps its own ($MINIRUN_STORAGE_DRIVER)"),
            ("-h, --help", "Print usage"),
            ("-v, --version", "Print version information and quit"),
        ], width);
        output.WriteLine("\nRun 'minirun COMMAND --help' for more information on a command.");
    }

    public static void PrintVerb(TextWriter output, IVerb verb, int width)
    {
        if (verb is ManagementCommand group)
        {
            group.WriteHelp(output); // `docker image --help`: its subcommands
            return;
        }
        output.WriteLine($"Usage:  {verb.Usage}\n");
        foreach (string line in TextColumns.Wrap(verb.Summary, width)) output.WriteLine(line);
        if (verb.Options.Count > 0)
        {
            output.WriteLine("\nOptions:");
            var rows = new List<(string, string)>(verb.Options.Count);
            foreach (OptionSpec option in verb.Options) rows.Add((option.Usage, option.Help));
            TextColumns.Write(output, rows, width);
        }
        if (verb.Examples.Count > 0)
        {
            output.WriteLine("\nExamples:");
            for (int i = 0; i < verb.Examples.Count; i++)
            {
                if (i > 0) output.WriteLine();
                foreach (string line in TextColumns.Wrap(verb.Examples[i].Description, width - 4)) output.WriteLine("  # " + line);
                output.WriteLine("  " + verb.Examples[i].CommandLine);
            }
        }
    }
}
