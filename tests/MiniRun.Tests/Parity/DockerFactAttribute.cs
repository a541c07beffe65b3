namespace MiniRun.Tests.Parity;

/// <summary>
/// A test that compares minirun with the real Docker engine: runs as root when a Docker daemon answers
/// (CI always has one: .ci/run starts it), and says why it skips otherwise.
/// </summary>
public sealed class DockerFactAttribute : FactAttribute
{
    public DockerFactAttribute()
    {
        if (DockerEngine.UnavailableReason is { } reason) Skip = reason;
    }
}

/// <summary>A theory that needs root and a Docker daemon; see <see cref="DockerFactAttribute"/>.</summary>
public sealed class DockerTheoryAttribute : TheoryAttribute
{
    public DockerTheoryAttribute()
    {
        if (DockerEngine.UnavailableReason is { } reason) Skip = reason;
    }
}
