using System.Text;

namespace MiniRun.Images.Registry;

/// <summary>
/// One <c>WWW-Authenticate</c> challenge (RFC 7235): a scheme (Bearer, Basic) and its parameters. A registry that
/// wants a token answers 401 with <c>Bearer realm="…",service="…",scope="…"</c> (Docker's token authentication spec).
/// </summary>
public sealed record AuthChallenge(string Scheme, IReadOnlyDictionary<string, string> Parameters)
{
    public string? Realm => Parameters.GetValueOrDefault("realm");
    public string? Service => Parameters.GetValueOrDefault("service");
    public string? Scope => Parameters.GetValueOrDefault("scope");
    public bool IsBearer => Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase);
    public bool IsBasic => Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase);

    /// <summary>Parses a header value; several challenges may share one header, separated by commas.</summary>
    public static IReadOnlyList<AuthChallenge> Parse(string header)
    {
        var challenges = new List<AuthChallenge>();
        int i = 0;
        while (i < header.Length)
        {
            SkipSeparators(header, ref i);
            string scheme = ReadToken(header, ref i);
            if (scheme.Length == 0) break;
            var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            while (true)
            {
                SkipSeparators(header, ref i);
                int start = i;
                string name = ReadToken(header, ref i);
                SkipSpaces(header, ref i);
                if (name.Length == 0 || i >= header.Length || header[i] != '=')
                {
                    i = start; // the next challenge's scheme
                    break;
                }
                i++;
                SkipSpaces(header, ref i);
                parameters[name] = i < header.Length && header[i] == '"' ? ReadQuoted(header, ref i) : ReadToken(header, ref i);
            }
            challenges.Add(new AuthChallenge(scheme, parameters));
        }
        return challenges;
    }

    private static void SkipSpaces(string s, ref int i)
    {
        while (i < s.Length && s[i] is ' ' or '\t') i++;
    }

    private static void SkipSeparators(string s, ref int i)
    {
        while (i < s.Length && s[i] is ' ' or '\t' or ',') i++;
    }

    private static string ReadToken(string s, ref int i)
    {
        int start = i;
        while (i < s.Length && s[i] is not (' ' or '\t' or ',' or '=' or '"')) i++;
        return s[start..i];
    }

    private static string ReadQuoted(string s, ref int i)
    {
        var value = new StringBuilder();
        for (i++; i < s.Length && s[i] != '"'; i++)
        {
            if (s[i] == '\\' && i + 1 < s.Length) i++;
            value.Append(s[i]);
        }
        i++;
        return value.ToString();
    }
}
