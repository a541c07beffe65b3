namespace MiniRun.Containers.Attach;

/// <summary>
/// The key sequence that leaves an attached container running (Docker's detach keys, ctrl-p ctrl-q unless
/// --detach-keys says otherwise), and its matching in what is typed: the keys of a sequence begun are held back, and
/// passed on as typed if the next key does not continue it (Docker's term.escapeProxy), so a lone ctrl-p still reaches
/// the container.
/// </summary>
public sealed class DetachKeys
{
    private readonly byte[] _sequence;
    private int _matched;

    private DetachKeys(byte[] sequence) => _sequence = sequence;

    /// <summary>Docker's default: ctrl-p, ctrl-q.</summary>
    public const string Default = "ctrl-p,ctrl-q";

    /// <summary>
    /// Docker's --detach-keys format: keys separated by commas, each a single character or "ctrl-" and one of a-z, @, [,
    /// \, ], ^ or _ (the control codes 1-26, 0, 27-31).
    /// </summary>
    public static DetachKeys Parse(string? keys)
    {
        if (string.IsNullOrEmpty(keys)) keys = Default;
        var codes = new List<byte>();
        foreach (string part in keys.Split(','))
        {
            string key = part.Length == 1 ? part : part.Trim();
            if (key.Length == 1 && key[0] < 0x80) codes.Add((byte)key[0]);
            else if (key.StartsWith("ctrl-", StringComparison.OrdinalIgnoreCase) && key.Length == 6 && Control(key[5]) is { } code) codes.Add(code);
            else throw new MiniRunException($"invalid detach keys \"{keys}\": \"{key}\" is not a character or ctrl- with one of a-z @ [ \\ ] ^ _");
        }
        return new DetachKeys([.. codes]);
    }

    private static byte? Control(char c) => char.ToLowerInvariant(c) switch
    {
        >= 'a' and <= 'z' and var letter => (byte)(letter - 'a' + 1),
        '@' => 0,
        '[' => 27,
        '\\' => 28,
        ']' => 29,
        '^' => 30,
        '_' => 31,
        _ => null,
    };

    /// <summary>
    /// Goes through what was typed: what is to be passed on is added to <paramref name="forward"/>; true when the whole
    /// sequence was typed (what followed it is dropped, as the client leaves).
    /// </summary>
    public bool Feed(ReadOnlySpan<byte> typed, List<byte> forward)
    {
        foreach (byte b in typed)
        {
            if (b == _sequence[_matched])
            {
                if (++_matched == _sequence.Length) return true;
                continue;
            }
            // Not the next key: what was held back goes on as typed, and this key may begin the sequence anew.
            for (int i = 0; i < _matched; i++) forward.Add(_sequence[i]);
            _matched = 0;
            if (b == _sequence[0])
            {
                if (++_matched == _sequence.Length) return true;
            }
            else forward.Add(b);
        }
        return false;
    }

    /// <summary>At the end of input: what is still held back, passed on.</summary>
    public void Flush(List<byte> forward)
    {
        for (int i = 0; i < _matched; i++) forward.Add(_sequence[i]);
        _matched = 0;
    }
}
