using System.Globalization;
using MiniRun.Cli.CommandLine;
using MiniRun.Containers;
using MiniRun.Runtime.Lifecycle;

namespace MiniRun.Cli.Verbs;

/// <summary>`generate systemd CONTAINER`: a unit that starts the container at boot, as `podman generate systemd` prints.</summary>
public sealed class GenerateVerb : IVerb
{
    public string Name => "generate";
    public string Usage => "minirun generate systemd [OPTIONS] CONTAINER";
    public string Summary => "Print a systemd unit for a container: with no daemon, nothing else starts it after a reboot";
    public VerbGroup Group => VerbGroup.MiniRun;
    public int FailureStatus => 125;

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        OptionSpec.Flag("name", 'n', "Name the container by its name in the unit's commands (default: its ID, which a rename keeps)"),
        OptionSpec.Value("restart-policy", null, "POLICY", "The unit's Restart=, if the supervisor itself fails: no, on-failure (default), always, …"),
        OptionSpec.Value("stop-timeout", 't', "SECONDS", "Seconds `minirun stop` waits before SIGKILL (default: the container's --stop-timeout, else 10)"),
        OptionSpec.Flag("files", 'f', "Write container-NAME.service in the current directory and print its path"),
    ];

    public int Execute(ParsedArguments args, CliContext context)
    {
        if (args.Positionals is not ["systemd", string name])
            throw new UsageException("\"minirun generate\" requires a subcommand and a container: generate systemd CONTAINER (see 'minirun generate --help')");
        string? time = args.Get("stop-timeout");
        int seconds = 0;
        if (time is not null && !int.TryParse(time, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out seconds))
            throw new UsageException($"invalid argument \"{time}\" for \"-t, --stop-timeout\": a whole number of seconds");
        Container container = context.Containers.Resolve(name);
        var options = new SystemdUnit.Options(Environment.ProcessPath ?? "/proc/self/exe", context.Paths.Root, args.Has("name"),
            args.Get("restart-policy") ?? "on-failure", time is null ? null : seconds, Rootless: RootlessMode.Active);
        string unit = SystemdUnit.Generate(container, options);
        if (!args.Has("files"))
        {
            context.Out.Write(unit);
            return 0;
        }
        string file = Path.GetFullPath(SystemdUnit.FileName(container));
        File.WriteAllText(file, unit);
        context.Out.WriteLine(file);
        return 0;
    }
}
