using System.Globalization;
using MiniRun.Cli.CommandLine;
using MiniRun.Cli.Output;
using MiniRun.Containers;

namespace MiniRun.Cli.Verbs;

/// <summary>
/// `port CONTAINER [PRIVATE_PORT[/PROTO]]`: a running container's published ports, as docker port lists them
/// ("80/tcp -> 0.0.0.0:8080"), or where one of them is reached. MiniRun has no -p yet: none is published, so the
/// list is empty, and asking for a port is Docker's "No public port" error (exit 1).
/// </summary>
public sealed class PortVerb : IVerb
{
    public string Name => "port";
    public string Usage => "minirun port CONTAINER [PRIVATE_PORT[/PROTO]]";
    public string Summary => "List port mappings or a specific mapping for the container";
    public IReadOnlyList<OptionSpec> Options { get; } = [];

    public int Execute(ParsedArguments args, CliContext context)
    {
        if (args.Positionals.Count is 0 or > 2)
            throw UsageException.Arguments("\"minirun port\" requires at least 1 and at most 2 arguments: CONTAINER [PRIVATE_PORT[/PROTO]] (see 'minirun port --help')");
        try
        {
            Container container = context.Containers.Resolve(args.Positionals[0]);
            // Published while it runs: a stopped container's ports are let go (Docker empties NetworkSettings.Ports).
            IEnumerable<PortBinding> published = context.Containers.Observe(container).Running ? container.Record.Ports : [];
            if (args.Positionals.Count == 1)
            {
                foreach (PortBinding port in published.OrderBy(p => p.Port).ThenBy(p => p.Protocol, StringComparer.Ordinal))
                    context.Out.WriteLine($"{port.Key} -> {port.HostAddress}");
                return 0;
            }
            string asked = args.Positionals[1];
            string[] parts = asked.Split('/', 2);
            string number = parts[0], protocol = parts.Length == 2 && parts[1].Length > 0 ? parts[1] : "tcp";
            if (!ushort.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out ushort privatePort))
                throw new MiniRunException($"invalid port ({number}): a port is a number from 0 to 65535");
            List<PortBinding> found = published.Where(p => p.Port == privatePort && p.Protocol == protocol).ToList();
            if (found.Count == 0) throw new MiniRunException($"No public port '{asked}' published for {args.Positionals[0]}");
            foreach (PortBinding port in found) context.Out.WriteLine(port.HostAddress);
            return 0;
        }
        catch (MiniRunException e)
        {
            ErrorPrinter.Print(e); // docker port's status
            return 1;
        }
    }
}
