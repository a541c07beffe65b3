namespace MiniRun.Native;

/// <summary>A failed Linux call, named with its syscall and path: "mount /x/merged: EINVAL (Invalid argument)".</summary>
public sealed class NativeException : MiniRunException
{
    public int Errno { get; }
    public string Call { get; }

    public NativeException(string call, string? path, int errno)
        : base($"{call}{(path is null ? "" : " " + path)}: {Errnos.Name(errno)} ({Errnos.Describe(errno)})")
    {
        Errno = errno;
        Call = call;
    }
}
