using System.Runtime.InteropServices;
using System.Text;

namespace MiniRun.Common;

/// <summary>
/// What a user reads when minirun fails: "minirun: &lt;message&gt;", one line with its control characters escaped (a
/// tag or a command out of an archive may hold any), and human: a .NET exception becomes what failed, where, and what
/// to do. The CLI prints through it (ErrorPrinter), and so do the stages, which run without the CLI.
/// </summary>
public static class UserMessages
{
    public const string Prefix = "minirun: ";

    /// <summary>Failures a user can cause (bad input, permissions, a full disk): a message and exit 125, not a crash.</summary>
    public static bool IsUserFacing(Exception e) =>
        e is MiniRunException or IOException or UnauthorizedAccessException or InvalidDataException;

    /// <summary>The line to print for <paramref name="e"/>, without its newline.</summary>
    public static string Line(Exception e) => Line(Describe(e));

    /// <summary>The line to print for a message of minirun's own, without its newline.</summary>
    public static string Line(string message) => Prefix + OneLine(message);

    /// <summary>
    /// The message for an exception: ours as it is (a failed call with a hint when one helps); .NET's rewritten from
    /// its type and the path it names (its own texts say neither what to do nor, for some, where).
    /// </summary>
    public static string Describe(Exception e) => e switch
    {
        MiniRunException => e.Message, // a failed call (NativeException) carries its hint already
        // .NET maps EACCES, EPERM (and EBADF) to this type and keeps the path only in its text.
        UnauthorizedAccessException => $"permission denied: {QuotedPath(e.Message)}" + Hint(EACCES, "open"),
        FileNotFoundException { FileName: { Length: > 0 } file } => $"no such file: {file}",
        DirectoryNotFoundException => $"no such file or directory: {QuotedPath(e.Message)}",
        PathTooLongException => $"file name too long: {QuotedPath(e.Message)}",
        InvalidDataException => $"corrupt or unreadable data ({Detail(e)})",
        IOException io => ErrnoMessage(io),
        _ => Detail(e),
    };

    /// <summary>A .NET exception's own text as a detail inside a message of ours: one line, no final period, lower case first.</summary>
    public static string Detail(Exception e)
    {
        string text = e.Message.ReplaceLineEndings(" ").Trim().TrimEnd('.');
        return text.Length > 1 && char.IsUpper(text[0]) && char.IsLower(text[1]) ? char.ToLowerInvariant(text[0]) + text[1..] : text;
    }

    /// <summary>A message as one line: newlines and other control characters written as escapes (\n, \r, \x1b).</summary>
    public static string OneLine(string message)
    {
        message = message.TrimEnd('\n');
        int first = 0;
        while (first < message.Length && !char.IsControl(message[first])) first++;
        if (first == message.Length) return message;
        var line = new StringBuilder(message.Length + 8).Append(message, 0, first);
        foreach (char c in message.AsSpan(first))
        {
            if (c == '\n') line.Append("\\n");
            else if (c == '\r') line.Append("\\r");
            else if (c == '\t') line.Append("\\t");
            else if (char.IsControl(c)) line.Append($"\\x{(int)c:x2}");
            else line.Append(c);
        }
        return line.ToString();
    }

    /// <summary>
    /// An I/O error of .NET's Unix layer: its HResult is the errno and its text "strerror : 'PATH'", which becomes
    /// "PATH: strerror" as the rest of minirun's messages say it.
    /// </summary>
    private static string ErrnoMessage(IOException e)
    {
        int errno = e.HResult;
        if (errno is <= 0 or >= 4096) return Detail(e);
        string reason = Marshal.GetPInvokeErrorMessage(errno);
        string text = e.Message;
        string prefix = reason + " : '";
        string message = text.StartsWith(prefix, StringComparison.Ordinal) && text.EndsWith('\'')
            ? $"{text[prefix.Length..^1]}: {reason.ToLowerInvariant()}"
            : Detail(e);
        return message + Hint(errno, "open");
    }

    /// <summary>The path in .NET's "… the path '/x' …" texts; the whole text when it quotes none.</summary>
    private static string QuotedPath(string text)
    {
        int start = text.IndexOf('\'');
        int end = text.LastIndexOf('\'');
        return end > start + 1 ? text[(start + 1)..end] : text.TrimEnd('.');
    }

    // errno(3) values: this type sits below Native (Errnos), which builds its messages with it.
    private const int EPERM = 1, EACCES = 13, ENOTTY = 25, ENOSPC = 28, EROFS = 30;

    /// <summary>
    /// What to do about an error a user can fix, as ": do this"; "" for the others. <paramref name="call"/> is the failed
    /// call: a refused mount, setns or unshare is not a matter of the path's permissions.
    /// </summary>
    public static string Hint(int errno, string call) => errno switch
    {
        // minirun needs root; root itself is refused a file marked immutable (chattr +i) or on a root-squashed share.
        EACCES or EPERM when !Environment.IsPrivilegedProcess => ": minirun needs root, run it with sudo",
        EACCES or EPERM when IsFileCall(call) => ": check the owner, mode and attributes of the path (ls -ld, lsattr)",
        EROFS => ": the filesystem is read-only, use a writable one (--root DIR for the store)",
        ENOTTY when call.StartsWith("BTRFS_IOC_", StringComparison.Ordinal) => ": not on a btrfs file system (stat -f -c %T shows which it is)",
        ENOSPC => ": the disk is full, free some space (minirun system prune removes what no container uses)",
        _ => "",
    };

    private static bool IsFileCall(string call) => call is "open" or "openat" or "openat2" or "opendir" or "mkdir" or "rename"
        or "rmdir" or "unlink" or "chmod" or "chown" or "write" or "link" or "symlink" or "mknod" or "stat" or "readlink";
}
