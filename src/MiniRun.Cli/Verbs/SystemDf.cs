using System.Text.Json;
using MiniRun.Cli.Output;
using MiniRun.Containers;
using MiniRun.Images;
using MiniRun.Store.Maintenance;
using MiniRun.Volumes;

namespace MiniRun.Cli.Verbs;

/// <summary>`system df`: the summary table, or with -v Docker's three sections (images, containers, local volumes).</summary>
public static class SystemDf
{
    public static int Summary(CliContext context)
    {
        (List<UsageRow> rows, long savings) = new StoreUsage(context.Images, context.Containers).Measure();
        var table = new Table("TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE");
        foreach (UsageRow row in rows)
            table.Add(row.Type, row.Total.ToString(), row.Active.ToString(), HumanText.Size(row.Size),
                $"{HumanText.Size(row.Reclaimable)} ({(row.Size == 0 ? 0 : 100 * row.Reclaimable / row.Size)}%)");
        table.WriteTo(context.Out);
        context.Out.WriteLine($"\nShared layers save {HumanText.Size(savings)}: the images' sizes add up to {HumanText.Size(rows[0].Size + savings)}, their layers are stored once.");
        return 0;
    }

    /// <summary>`docker system df -v`: the same column names, one row per image name, container and volume.</summary>
    public static int Verbose(CliContext context)
    {
        var (images, containers, volumes) = new StoreUsage(context.Images, context.Containers).MeasureEach(new VolumeStore(context.Paths));
        TextWriter output = context.Out;

        output.WriteLine("Images space usage:\n");
        var imageTable = new Table("REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE", "SHARED SIZE", "UNIQUE SIZE", "CONTAINERS");
        foreach (ImageUsage usage in images)
        {
            ImageRecord image = usage.Image;
            string created = image.Config.Created is { } c ? HumanText.Ago(c) : "N/A";
            string[] rest = [image.ShortId, created, HumanText.Size(image.Size), HumanText.Size(usage.SharedSize), HumanText.Size(usage.UniqueSize), usage.Containers.ToString()];
            if (image.Names.Count == 0) imageTable.Add(["<none>", "<none>", .. rest]);
            foreach (string name in image.Names)
            {
                ImageReference reference = ImageReference.Parse(name);
                imageTable.Add([reference.FamiliarRepository, reference.Tag ?? "<none>", .. rest]);
            }
        }
        imageTable.WriteTo(output);

        output.WriteLine("\nContainers space usage:\n");
        var containerTable = new Table("CONTAINER ID", "IMAGE", "COMMAND", "LOCAL VOLUMES", "SIZE", "CREATED", "STATUS", "NAMES");
        foreach (ContainerUsage usage in containers)
        {
            JsonElement row = ContainerRow.Of(usage.Container, context.Containers.Observe(usage.Container), truncate: true, HumanText.Size(usage.Size));
            containerTable.Add(Field(row, "ID"), Field(row, "Image"), Field(row, "Command"), usage.LocalVolumes.ToString(),
                HumanText.Size(usage.Size), Field(row, "RunningFor"), Field(row, "Status"), Field(row, "Names"));
        }
        containerTable.WriteTo(output);

        output.WriteLine("\nLocal Volumes space usage:\n");
        var volumeTable = new Table("VOLUME NAME", "LINKS", "SIZE");
        foreach (VolumeUsage usage in volumes) volumeTable.Add(usage.Volume.Name, usage.Links.ToString(), HumanText.Size(usage.Size));
        volumeTable.WriteTo(output);
        return 0;
    }

    private static string Field(JsonElement row, string name) => row.GetProperty(name).GetString() ?? "";
}
