namespace MiniRun.Containers;

/// <summary>
/// docker run's three ways to ask for a mount, read into <see cref="ContainerMount"/>s: -v/--volume, --mount and
/// --tmpfs, with Docker's rules and messages. A volume is named here; where its files live is the store's to say.
/// </summary>
public static class MountRequests
{
    /// <summary>
    /// -v HOST:CTR[:OPTS] (HOST absolute: a bind mount, made when missing), -v NAME:CTR[:OPTS] (a named volume),
    /// -v CTR (an anonymous volume). OPTS: ro, rw, z, Z (SELinux labels: nothing to do here), nocopy.
    /// </summary>
    public static ContainerMount Volume(string spec)
    {
        string[] parts = spec.Split(':');
        if (parts.Length > 3 || parts.Any(p => p.Length == 0)) throw Invalid(spec, "expected [SOURCE:]DESTINATION[:OPTIONS]");
        if (parts.Length == 1) return new ContainerMount { Type = ContainerMount.Volume, Destination = Destination(parts[0], spec), Anonymous = true };
        bool readOnly = false, noCopy = false;
        if (parts.Length == 3)
            foreach (string option in parts[2].Split(','))
                switch (option)
                {
                    case "ro": readOnly = true; break;
                    case "rw": readOnly = false; break;
                    case "z" or "Z": break;
                    case "nocopy": noCopy = true; break;
                    default: throw Invalid(spec, $"unknown option \"{option}\" (ro, rw, z, Z, nocopy)");
                }
        string source = parts[0], destination = Destination(parts[1], spec);
        if (source.StartsWith('/'))
            return new ContainerMount { Type = ContainerMount.Bind, Source = Path.GetFullPath(source), Destination = destination, ReadOnly = readOnly, MakeSource = true };
        if (source.StartsWith('.') || source.StartsWith('~'))
            throw Invalid(spec, $"\"{source}\" is a relative path: a bind mount's source is absolute (use \"$(pwd)/{source.TrimStart('.', '/')}\")");
        return new ContainerMount { Type = ContainerMount.Volume, Name = source, Destination = destination, ReadOnly = readOnly, NoCopy = noCopy };
    }

    /// <summary>--mount type=bind|volume|tmpfs,source=…,target=…[,readonly][,volume-nocopy][,tmpfs-size=…][,tmpfs-mode=…].</summary>
    public static ContainerMount Mount(string spec)
    {
        string type = ContainerMount.Volume, source = "", target = "";
        bool readOnly = false, noCopy = false;
        var tmpfs = new List<string>();
        foreach (string field in spec.Split(','))
        {
            int eq = field.IndexOf('=');
            string key = (eq < 0 ? field : field[..eq]).Trim().ToLowerInvariant(), value = eq < 0 ? "" : field[(eq + 1)..];
            switch (key)
            {
                case "type": type = value; break;
                case "source" or "src": source = value; break;
                case "target" or "destination" or "dst": target = value; break;
                case "readonly" or "ro": readOnly = value is "" or "1" or "true"; break;
                case "volume-nocopy": noCopy = value is "" or "1" or "true"; break;
                case "tmpfs-size": tmpfs.Add("size=" + value); break;
                case "tmpfs-mode": tmpfs.Add("mode=" + value); break;
                case "bind-propagation" or "consistency": break; // rprivate is what minirun gives; consistency is for Docker Desktop
                default: throw new MiniRunException($"invalid argument \"{spec}\" for \"--mount\" flag: unexpected key '{key}' in '{field}'");
            }
        }
        if (target.Length == 0) throw new MiniRunException($"invalid argument \"{spec}\" for \"--mount\" flag: target is required");
        string destination = Destination(target, spec);
        switch (type)
        {
            case ContainerMount.Bind:
                if (!source.StartsWith('/')) throw new MiniRunException($"invalid mount config for type \"bind\": the source \"{source}\" must be an absolute path");
                if (!Directory.Exists(source) && !File.Exists(source))
                    throw new MiniRunException($"invalid mount config for type \"bind\": bind source path does not exist: {source}");
                return new ContainerMount { Type = ContainerMount.Bind, Source = Path.GetFullPath(source), Destination = destination, ReadOnly = readOnly };
            case ContainerMount.Volume:
                return source.Length == 0
                    ? new ContainerMount { Type = ContainerMount.Volume, Destination = destination, ReadOnly = readOnly, NoCopy = noCopy, Anonymous = true }
                    : new ContainerMount { Type = ContainerMount.Volume, Name = source, Destination = destination, ReadOnly = readOnly, NoCopy = noCopy };
            case ContainerMount.Tmpfs:
                if (source.Length > 0) throw new MiniRunException("invalid mount config for type \"tmpfs\": source must not be given");
                return new ContainerMount { Type = ContainerMount.Tmpfs, Destination = destination, ReadOnly = readOnly, Options = string.Join(',', tmpfs) };
            default:
                throw new MiniRunException($"invalid mount config: mount type unknown: \"{type}\" (bind, volume or tmpfs)");
        }
    }

    /// <summary>--tmpfs CTR[:OPTIONS] (mount(8)'s tmpfs options: size=64m,mode=1777,exec…).</summary>
    public static ContainerMount Tmpfs(string spec)
    {
        int colon = spec.IndexOf(':');
        string destination = Destination(colon < 0 ? spec : spec[..colon], spec);
        return new ContainerMount { Type = ContainerMount.Tmpfs, Destination = destination, Options = colon < 0 ? "" : spec[(colon + 1)..] };
    }

    /// <summary>
    /// The image's VOLUME paths as anonymous volumes, as Docker gives them (daemon/create_unix.go): a path the user
    /// mounted something at already (-v, --mount, --tmpfs) is left to that mount.
    /// </summary>
    public static IEnumerable<ContainerMount> ImageVolumes(IEnumerable<string>? paths, IReadOnlyCollection<ContainerMount> asked)
    {
        // filepath.Clean, and a path the builder left relative is taken from the root, as Docker's scoped join does.
        foreach (string destination in (paths ?? []).Select(p => Path.GetFullPath("/" + p.TrimStart('/')).TrimEnd('/')).Distinct().Order(StringComparer.Ordinal))
            if (destination.Length > 0 && !asked.Any(m => m.Destination == destination))
                yield return new ContainerMount { Type = ContainerMount.Volume, Destination = destination, Anonymous = true };
    }

    /// <summary>The mounts of one container: no destination twice, volumes named (anonymous ones given a name).</summary>
    public static List<ContainerMount> Check(IEnumerable<ContainerMount> mounts, Func<string> anonymousName)
    {
        var checkedMounts = new List<ContainerMount>();
        foreach (ContainerMount mount in mounts)
        {
            if (checkedMounts.Any(m => m.Destination == mount.Destination))
                throw new MiniRunException($"Duplicate mount point: {mount.Destination}");
            if (mount.Type == ContainerMount.Volume && mount.Name.Length == 0) checkedMounts.Add(mount with { Name = anonymousName() });
            else checkedMounts.Add(mount);
        }
        // Parents before what is mounted inside them, as Docker sorts them.
        return [.. checkedMounts.OrderBy(m => m.Destination.Count(c => c == '/'))];
    }

    private static string Destination(string path, string spec)
    {
        if (!path.StartsWith('/')) throw Invalid(spec, $"the destination \"{path}\" is not an absolute path");
        string clean = Path.GetFullPath(path);
        if (clean == "/") throw Invalid(spec, "the destination can't be \"/\"");
        return clean.TrimEnd('/');
    }

    private static MiniRunException Invalid(string spec, string why) => new($"invalid volume specification: '{spec}': {why}");
}
