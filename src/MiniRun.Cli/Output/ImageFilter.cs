using MiniRun.Images;

namespace MiniRun.Cli.Output;

/// <summary>
/// `images --filter` (and `images REPO[:TAG]`, a reference= filter), read once, applied as moby's image_list.go
/// does: dangling=true keeps untagged images without children, dangling=false drops untagged ones; before=/since=
/// compare creation times with the image named; label= as everywhere; reference= globs keep the names they match
/// and drop images left without one.
/// </summary>
public sealed class ImageFilter
{
    private static readonly HashSet<string> Keys = ["dangling", "label", "before", "since", "reference"];

    private readonly bool? _dangling;
    private readonly LabelFilter _labels;
    private readonly DateTimeOffset? _before, _since;
    private readonly List<GlobPattern>? _references;

    private ImageFilter(FilterArguments filters, ImageStore images)
    {
        filters.Validate(Keys);
        if (filters.Contains("dangling"))
        {
            IReadOnlyList<string> values = filters.Get("dangling");
            _dangling = values.Contains("true") ? true
                : values.Contains("false") ? false : throw FilterArguments.Invalid("dangling", string.Join(',', values));
        }
        _labels = new LabelFilter(filters.Get("label"));
        _before = filters.Get("before").Select(v => (DateTimeOffset?)Created(v, images)).LastOrDefault();
        _since = filters.Get("since").Select(v => (DateTimeOffset?)Created(v, images)).LastOrDefault();
        if (filters.Contains("reference")) _references = filters.Get("reference").Select(GlobPattern.Parse).ToList();
    }

    public static ImageFilter Parse(IEnumerable<string> flags, string? reference, ImageStore images)
    {
        var all = flags.ToList();
        if (reference is not null) all.Add("reference=" + reference);
        return new ImageFilter(FilterArguments.Parse(all, "images"), images);
    }

    /// <summary>The images to list, newest first, each with the names (familiar references) it is listed under.</summary>
    public List<(ImageRecord Image, IReadOnlyList<ImageReference> Names)> Select(IReadOnlyList<ImageRecord> images, bool all)
    {
        var lineage = new ImageLineage(images);
        var chosen = new List<(ImageRecord, IReadOnlyList<ImageReference>)>();
        // Docker sorts by the config's creation time, newest first.
        foreach (ImageRecord image in images.OrderByDescending(i => i.Config.Created ?? DateTimeOffset.MinValue).ThenByDescending(i => i.Added))
        {
            DateTimeOffset created = image.Config.Created ?? DateTimeOffset.MinValue;
            if (_before is { } before && created >= before) continue;
            if (_since is { } since && created <= since) continue;
            if (!_labels.IsEmpty && !_labels.Matches(image.Config.Config?.Labels)) continue;
            var names = image.Names.Concat(image.RepoDigests).Select(ImageReference.Parse).Where(Wanted).ToList();
            if (names.Count == 0)
            {
                // Untagged: shown (as <none>) unless something is built on it, which only -a shows.
                if (_dangling == false || _references is not null || (!all && lineage.HasChildren(image))) continue;
                if (_dangling == true && lineage.HasChildren(image)) continue;
            }
            else if (_dangling == true && names.Any(n => n.IsTagged)) continue;
            chosen.Add((image, names));
        }
        return chosen;
    }

    /// <summary>reference=: the glob against the familiar reference (`repo:tag`), then against the repository alone.</summary>
    private bool Wanted(ImageReference name) =>
        _references is null || _references.Any(p => p.Matches(name.FamiliarString) || p.Matches(name.FamiliarRepository));

    private static DateTimeOffset Created(string reference, ImageStore images)
    {
        ImageRecord image;
        try { image = images.Resolve(reference); }
        catch (MiniRunException e) { throw new FilterException(e.Message); }
        return image.Config.Created ?? DateTimeOffset.MinValue;
    }
}
