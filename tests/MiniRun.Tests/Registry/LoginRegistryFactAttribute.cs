using MiniRun.Fixtures.Registry;
using MiniRun.Tests.Parity;

namespace MiniRun.Tests.Registry;

/// <summary>A root test against a real registry on 127.0.0.1 that wants a login (apt-get install -y docker-registry skopeo apache2-utils; scripts/deps.sh --ci does).</summary>
public sealed class LoginRegistryFactAttribute : FactAttribute
{
    public LoginRegistryFactAttribute()
    {
        if (!MiniRun.Native.Syscalls.IsRoot) Skip = "needs root: the layer store chowns and makes device nodes (run with sudo make test)";
        else if (!LocalRegistry.CanRequireLogin) Skip = "needs docker-registry, skopeo and htpasswd on PATH (apt-get install -y docker-registry skopeo apache2-utils)";
    }

    /// <summary>The test runs the real docker CLI as well (its daemon must answer).</summary>
    public bool NeedsDocker
    {
        get => _needsDocker;
        set
        {
            _needsDocker = value;
            if (value && Skip is null && DockerEngine.UnavailableReason is { } reason) Skip = reason;
        }
    }

    private bool _needsDocker;
}
