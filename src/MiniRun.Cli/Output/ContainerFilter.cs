using System.Globalization;
using System.Text.RegularExpressions;
using MiniRun.Containers;
using MiniRun.Images;

namespace MiniRun.Cli.Output;

/// <summary>
/// `ps --filter`, read once into typed parts, then applied as moby's daemon/list.go does: values of one key are
/// alternatives (OR), different keys must all hold (AND), labels all hold. status= lists every state (as -a);
/// exited= does not, so it needs -a. Containers come newest first: before= drops up to and including the one it
/// names, since= stops there.
/// </summary>
public sealed class ContainerFilter
{
    private static readonly HashSet<string> Keys = ["ancestor", "before", "exited", "id", "label", "name", "since", "status", "volume"];
    private static readonly HashSet<string> States = ["created", "restarting", "running", "removing", "paused", "exited", "dead"];

    private readonly List<Regex> _names = [];
    private readonly HashSet<string>? _ids;
    private readonly LabelFilter _labels;
    private readonly HashSet<string> _states;
    private readonly HashSet<int> _exitCodes = [];
    private readonly HashSet<string>? _images;
    private readonly IReadOnlyList<string> _volumes;
    private readonly string? _before, _since;

    private ContainerFilter(FilterArguments filters, IReadOnlyList<Container> containers, ImageStore images)
    {
        filters.Validate(Keys);
        foreach (string code in filters.Get("exited"))
            _exitCodes.Add(int.TryParse(code, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n) ? n : throw FilterArguments.Invalid("exited", code));
        _states = filters.Get("status").Select(s => States.Contains(s) ? s : throw FilterArguments.Invalid("status", s)).ToHashSet();
        _before = filters.Get("before").Select(v => Find(v, containers)).LastOrDefault();
        _since = filters.Get("since").Select(v => Find(v, containers)).LastOrDefault();
        // Go's regexp, unanchored; one that does not compile matches nothing (filters.Match skips it).
        foreach (string name in filters.Get("name"))
            try { _names.Add(new Regex(name, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)); }
            catch (ArgumentException) { _names.Add(new Regex("(?!)")); }
        // Docker's ID index: a value picks the one container whose ID starts with it; an ambiguous prefix picks none.
        if (filters.Contains("id"))
            _ids = filters.Get("id").Select(p => containers.Where(c => p.Length > 0 && c.Id.StartsWith(p, StringComparison.Ordinal)).ToList())
                .Where(m => m.Count == 1).Select(m => m[0].Id).ToHashSet();
        _labels = new LabelFilter(filters.Get("label"));
        if (filters.Contains("ancestor")) _images = Ancestors(filters.Get("ancestor"), images);
        _volumes = filters.Get("volume");
    }

    public static ContainerFilter Parse(IEnumerable<string> flags, IReadOnlyList<Container> containers, ImageStore images) =>
        new(FilterArguments.Parse(flags, "ps"), containers, images);

    /// <summary>status= shows stopped containers without -a.</summary>
    public bool ListsAll => _states.Count > 0;

    /// <summary>
    /// The containers to show, newest first: <paramref name="all"/> keeps stopped ones, <paramref name="last"/>
    /// (when positive) keeps that many of those that pass the filter.
    /// </summary>
    public List<(Container Container, ContainerStatus Status)> Select(IReadOnlyList<Container> newestFirst, Func<Container, ContainerStatus> observe, bool all, int last)
    {
        var chosen = new List<(Container, ContainerStatus)>();
        bool beforeSeen = _before is null;
        foreach (Container container in newestFirst)
        {
            if (!beforeSeen)
            {
                beforeSeen = container.Id == _before;
                continue;
            }
            if (container.Id == _since) break;
            ContainerStatus status = observe(container);
            bool running = status.Running || status.Restarting; // Docker counts a restarting one as running
            if (!running && !all && !ListsAll && last <= 0) continue;
            if (!Matches(container)) continue;
            if (last > 0 && chosen.Count == last) break;
            if (_exitCodes.Count > 0 && (running || status.State.StartedAt is null || !_exitCodes.Contains(status.State.ExitCode))) continue;
            if (_states.Count > 0 && !_states.Contains(status.Paused ? "paused" : status.Status.Name())) continue;
            if (_images is not null && !_images.Contains(container.Record.ImageId)) continue;
            chosen.Add((container, status));
        }
        return chosen;
    }

    /// <summary>What is known without the container's state: name, ID, labels, volumes.</summary>
    private bool Matches(Container container)
    {
        if (_names.Count > 0 && !_names.Any(r => r.IsMatch(container.Name) || r.IsMatch("/" + container.Name))) return false;
        if (_ids is not null && !_ids.Contains(container.Id)) return false;
        if (!_labels.Matches(container.Record.Labels)) return false;
        // volume=: a volume's name, a bind's source, or where either is mounted.
        return _volumes.Count == 0 || container.Record.Mounts.Any(m => _volumes.Contains(m.Destination)
            || _volumes.Contains(m.Type == ContainerMount.Volume ? m.Name : m.Source));
    }

    /// <summary>The IDs of the images named and of every image built on them; a name that finds no image adds none.</summary>
    private static HashSet<string> Ancestors(IEnumerable<string> references, ImageStore images)
    {
        IReadOnlyList<ImageRecord> all = images.List();
        var lineage = new ImageLineage(all);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (string reference in references)
        {
            ImageRecord? image;
            try { image = images.TryResolve(reference); }
            catch (MiniRunException) { image = null; } // an ambiguous ID prefix: Docker only logs it
            if (image is not null) ids.UnionWith(lineage.WithDescendants(image).Select(i => i.Id.ToString()));
        }
        return ids;
    }

    /// <summary>before= and since= name a container by its name or its full ID (Docker takes no ID prefix here).</summary>
    private static string Find(string nameOrId, IReadOnlyList<Container> containers) =>
        containers.FirstOrDefault(c => c.Name == nameOrId.TrimStart('/') || c.Id == nameOrId)?.Id
        ?? throw new FilterException($"no such container: {nameOrId}");
}
