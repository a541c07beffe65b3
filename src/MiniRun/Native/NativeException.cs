namespace MiniRun.Native;

/// <summary>
/// A failed Linux call, named with its syscall and path: "mount /x/merged: EINVAL (Invalid argument)", and what to do
/// when the user can fix it (<see cref="UserMessages.Hint"/>): "mkdir /var/lib/minirun/layers: EACCES (Permission denied): minirun needs root, …".
/// </summary>
public sealed class NativeException : MiniRunException
{
    public int Errno { get; }
    public string Call { get; }

    public NativeException(string call, string? path, int errno)
        : base($"{call}{(path is null ? "" : " " + path)}: {Errnos.Name(errno)} ({Errnos.Describe(errno)}){UserMessages.Hint(errno, call)}")
    {
        Errno = errno;
        Call = call;
    }
}
