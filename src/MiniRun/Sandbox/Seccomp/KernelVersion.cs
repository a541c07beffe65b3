namespace MiniRun.Sandbox.Seccomp;

/// <summary>A kernel's major.minor, as Docker compares a rule's minKernel with the running kernel (kernel_linux.go).</summary>
public readonly record struct KernelVersion(int Major, int Minor) : IComparable<KernelVersion>
{
    /// <summary>"4.8", or a release such as "6.18.44-fc-v1045"; null when it does not start with two numbers.</summary>
    public static KernelVersion? TryParse(string text)
    {
        string[] parts = text.Split('.', 3);
        if (parts.Length < 2 || !int.TryParse(parts[0], out int major)) return null;
        string minor = new(parts[1].TakeWhile(char.IsAsciiDigit).ToArray());
        return int.TryParse(minor, out int m) ? new KernelVersion(major, m) : null;
    }

    public int CompareTo(KernelVersion other) => Major != other.Major ? Major.CompareTo(other.Major) : Minor.CompareTo(other.Minor);
}
