using System.Runtime.InteropServices;
using System.Text;

namespace MiniRun.Native;

/// <summary>C strings and NULL-terminated string arrays (argv, envp) in native memory, freed by the caller's list.</summary>
internal static unsafe class NativeStrings
{
    public static byte* Utf8(string s, List<nint> allocations)
    {
        int length = Encoding.UTF8.GetByteCount(s);
        byte* p = (byte*)Marshal.AllocHGlobal(length + 1);
        allocations.Add((nint)p);
        Encoding.UTF8.GetBytes(s, new Span<byte>(p, length));
        p[length] = 0;
        return p;
    }

    public static byte** NullTerminated(IReadOnlyList<string> items, List<nint> allocations)
    {
        byte** array = (byte**)Marshal.AllocHGlobal((items.Count + 1) * sizeof(nint));
        allocations.Add((nint)array);
        for (int i = 0; i < items.Count; i++) array[i] = Utf8(items[i], allocations);
        array[items.Count] = null;
        return array;
    }

    public static void Free(List<nint> allocations)
    {
        foreach (nint p in allocations) Marshal.FreeHGlobal(p);
    }
}
