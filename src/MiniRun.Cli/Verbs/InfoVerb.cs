using MiniRun.Common;
using MiniRun.Rootless;
using System.Text.Json;
using MiniRun.Cli.CommandLine;
using MiniRun.Cli.Output;
using MiniRun.Containers;
using MiniRun.Diagnostics;

namespace MiniRun.Cli.Verbs;

/// <summary>`info` (also `system info`): Docker's sections that mean something for MiniRun; --format over Docker's field names.</summary>
public sealed class InfoVerb : IVerb
{
    public VerbGroup Group => VerbGroup.Common;
    public string Name => "info";
    public string Usage => "minirun info [--format TEMPLATE]";
    public string Summary => "Display system-wide information: containers, images, storage driver, cgroups, kernel, machine";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        OptionSpec.Value("format", 'f', "TEMPLATE", "Format output using a Go template ({{.Driver}}, {{.CgroupVersion}}, {{json .}})"),
    ];

    public int Execute(ParsedArguments args, CliContext context)
    {
        if (args.Positionals.Count > 0) throw UsageException.Arguments("\"minirun info\" accepts no arguments (see 'minirun info --help')");
        return Print(context, args.Get("format"));
    }

    internal static int Print(CliContext context, string? format)
    {
        int running = 0, paused = 0, stopped = 0;
        foreach (Container container in context.Containers.List())
        {
            ContainerStatus status = context.Containers.Observe(container);
            if (status.Paused) paused++;
            else if (status.Running || status.Restarting) running++;
            else stopped++;
        }
        int images = context.Images.List().Count;
        HostFacts host = HostFacts.Read(context.Paths.Root);
        string[] security = [.. host.Seccomp ? ["name=seccomp,profile=default"] : Array.Empty<string>(), .. RootlessMode.Active ? ["name=rootless"] : Array.Empty<string>()];
        // Rootless without a delegated subtree, no cgroup is made (CgroupDetector): Docker's rootless info says driver
        // "none" there too; the version line says why rather than that no cgroup filesystem is mounted.
        string cgroupDriver = RootlessMode.Active && host.CgroupVersion.Length == 0 ? "none" : "cgroupfs";
        string cgroupVersion = host.CgroupVersion.Length > 0 ? host.CgroupVersion
            : RootlessMode.Active ? "none (rootless containers have no cgroup of their own without a delegated cgroup v2 subtree, see minirun doctor)"
            : "none (no cgroup filesystem mounted)";
        string driver = context.Snapshotter.Driver.DisplayName;
        bool overlay = driver == "overlay2"; // Docker lists the backing file system for overlay2; vfs and btrfs have no status lines here
        if (format is { Length: > 0 })
        {
            JsonElement document = JsonDocumentWriter.Build(w =>
            {
                w.WriteNumber("Containers", running + paused + stopped);
                w.WriteNumber("ContainersRunning", running);
                w.WriteNumber("ContainersPaused", paused);
                w.WriteNumber("ContainersStopped", stopped);
                w.WriteNumber("Images", images);
                w.WriteString("Driver", driver);
                if (overlay)
                {
                    w.WriteStartArray("DriverStatus");
                    w.WriteStartArray();
                    w.WriteStringValue("Backing Filesystem");
                    w.WriteStringValue(host.BackingFilesystem);
                    w.WriteEndArray();
                    w.WriteEndArray();
                }
                else w.WriteNull("DriverStatus");
                w.WriteString("LoggingDriver", "json-file");
                w.WriteString("CgroupDriver", cgroupDriver);
                w.WriteString("CgroupVersion", host.CgroupVersion);
                w.WriteString("KernelVersion", host.KernelVersion);
                w.WriteString("OperatingSystem", host.OperatingSystem);
                w.WriteString("OSType", "linux");
                w.WriteString("Architecture", host.Architecture);
                w.WriteNumber("NCPU", host.Cpus);
                w.WriteNumber("MemTotal", host.MemoryBytes);
                w.WriteString("Name", host.Hostname);
                w.WriteString("DockerRootDir", context.Paths.Root);
                w.WriteString("ServerVersion", VersionVerb.Number);
                w.WriteStartArray("SecurityOptions");
                foreach (string option in security) w.WriteStringValue(option);
                w.WriteEndArray();
            });
            return InspectTemplate.Parse(format) is { } template ? InspectTemplate.Write(template, [document], context.Out) ? 0 : 1 : InspectTemplate.ParseFailure;
        }
        TextWriter o = context.Out;
        o.WriteLine($"Client:\n Version:    {VersionVerb.Number}\n\nServer:");
        o.WriteLine($" Containers: {running + paused + stopped}\n  Running: {running}\n  Paused: {paused}\n  Stopped: {stopped}");
        o.WriteLine($" Images: {images}\n Server Version: {VersionVerb.Number}");
        o.WriteLine($" Storage Driver: {driver}" + (overlay ? $"\n  Backing Filesystem: {host.BackingFilesystem}" : ""));
        o.WriteLine($" Logging Driver: json-file\n Cgroup Driver: {cgroupDriver}\n Cgroup Version: {cgroupVersion}");
        o.WriteLine(" Security Options:" + (host.Seccomp ? "\n  seccomp\n   Profile: default\n  no-new-privileges: per container (--security-opt)" : "")
            + (RootlessMode.Active ? "\n  rootless" : host.Seccomp ? "" : " none"));
        o.WriteLine($" Kernel Version: {host.KernelVersion}\n Operating System: {host.OperatingSystem}\n OSType: linux");
        o.WriteLine($" Architecture: {host.Architecture}\n CPUs: {host.Cpus}\n Total Memory: {HumanText.BinarySize(host.MemoryBytes)}");
        o.WriteLine($" Name: {host.Hostname}\n Root Dir: {context.Paths.Root}");
        if (RootlessMode.Active) o.WriteLine($" Rootless: true ({RootlessPause.DescribeMaps()})");
        return 0;
    }
}
