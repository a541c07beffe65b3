using MiniRun.Fixtures.Registry;

namespace MiniRun.Tests.Registry;

/// <summary>A root test against a real registry on 127.0.0.1 (apt-get install -y docker-registry skopeo; scripts/deps.sh --ci does).</summary>
public sealed class RegistryFactAttribute : FactAttribute
{
    public RegistryFactAttribute()
    {
        if (!MiniRun.Native.Syscalls.IsRoot) Skip = "needs root: the layer store chowns and makes device nodes (run with sudo make test)";
        else if (!LocalRegistry.IsAvailable) Skip = "needs docker-registry and skopeo on PATH (apt-get install -y docker-registry skopeo)";
    }
}
