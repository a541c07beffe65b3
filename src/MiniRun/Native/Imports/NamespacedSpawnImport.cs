using System.Runtime.InteropServices;

namespace MiniRun.Native;

/// <summary>
/// MiniRun's own native code (Native/Processes/namespaced_spawn.c, linked into the binary): the spawn that can make a
/// user namespace, which no thread of a .NET process can unshare or enter (see <see cref="ProcessControl.SpawnNamespaced"/>).
/// </summary>
internal static unsafe partial class NamespacedSpawnImport
{
    private const string Lib = "libminirun";

    /// <summary>The C struct minirun_spawn, field for field.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Request
    {
        public byte* Path;
        public byte** Argv;
        public byte** Envp;
        public int* Fds;
        public int FdCount;
        public int UserNamespaceFd;
        public int MountNamespaceFd;
        public ulong CloneFlags;
        public int GoFd;
        public int ErrorFd;
        public int* JoinFds;
        public int JoinCount;
        public int PidNamespaceFd;
        public int PidReportFd;
    }

    /// <summary>The child's PID, or -errno.</summary>
    [LibraryImport(Lib)]
    public static partial int minirun_namespaced_spawn(Request* request);
}
