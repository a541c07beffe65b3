using MiniRun.Native;

namespace MiniRun.Explain;

/// <summary>The capsh(1) command that enters a root with the container's capabilities, user and groups, as the init stage does.</summary>
public static class CapshCommand
{
    /// <summary>capsh(1) options that give the container's capability set, user and groups, entering <paramref name="root"/>.</summary>
    public static string Format(Credentials? credentials, string root)
    {
        var options = new List<string>();
        if (credentials is not null)
        {
            var dropped = new List<string>();
            for (int cap = 0; cap <= credentials.LastCapability && cap < CapabilityNames.All.Count; cap++)
                if ((credentials.Capabilities & 1UL << cap) == 0) dropped.Add("cap_" + CapabilityNames.All[cap].ToLowerInvariant());
            if (dropped.Count > 0) options.Add("--drop=" + string.Join(',', dropped));
            if (credentials.Inheritable != 0) options.Add("--inh=" + string.Join(',', Names(credentials.Inheritable, credentials.LastCapability)));
        }
        options.Add("--chroot=" + ShellQuote.Quote(root));
        if (credentials is not null)
        {
            options.Add($"--gid={credentials.Gid}");
            if (credentials.Groups.Count > 0) options.Add("--groups=" + string.Join(',', credentials.Groups));
            options.Add($"--uid={credentials.Uid}");
            if (credentials.Ambient != 0) options.Add("--addamb=" + string.Join(',', Names(credentials.Ambient, credentials.LastCapability)));
        }
        return "capsh " + string.Join(' ', options);
    }

    private static IEnumerable<string> Names(ulong set, int last)
    {
        for (int cap = 0; cap <= last && cap < CapabilityNames.All.Count; cap++)
            if ((set & 1UL << cap) != 0) yield return "cap_" + CapabilityNames.All[cap].ToLowerInvariant();
    }
}
