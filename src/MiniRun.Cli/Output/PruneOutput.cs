using MiniRun.Store.Maintenance;

namespace MiniRun.Cli.Output;

/// <summary>What a prune removed, in Docker's sections ("Deleted Containers:", "Deleted Networks:", "Deleted Images:"), then the bytes freed.</summary>
public static class PruneOutput
{
    /// <returns>0, or 1 when something had to be left in place (said on stderr).</returns>
    public static int Write(TextWriter output, PruneReport report)
    {
        Section(output, "Deleted Containers:", report.Containers);
        Section(output, "Deleted Networks:", report.Networks);
        Section(output, "Deleted Volumes:", report.Volumes);
        Section(output, "Deleted Images:", report.Untagged.Select(n => "untagged: " + n).Concat(report.Images.Select(i => "deleted: " + i)));
        Section(output, "Deleted Layers:", report.Layers);
        Section(output, "Recovered from crashes:", report.Recovered);
        output.WriteLine($"Total reclaimed space: {HumanText.Size(report.ReclaimedBytes)}");
        foreach (string left in report.Left) ErrorPrinter.Print("left in place: " + left);
        return report.Left.Count == 0 ? 0 : 1;
    }

    public static void Section(TextWriter output, string title, IEnumerable<string> lines)
    {
        var list = lines.ToList();
        if (list.Count == 0) return;
        output.WriteLine(title);
        foreach (string line in list) output.WriteLine(line);
        output.WriteLine();
    }
}
