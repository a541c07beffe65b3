using System.Runtime.CompilerServices;

namespace MiniRun.Tests.Support;

/// <summary>
/// Every minirun a test starts runs without --network on the host's network, as MiniRun did before it had bridges:
/// the machine's own network is never touched. Only the networking tests, each in a network namespace of its own
/// (NetworkSandbox), ask for bridges.
/// </summary>
internal static class HostNetworkDefault
{
    [ModuleInitializer]
    internal static void Set()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("MINIRUN_NETWORK"))) Environment.SetEnvironmentVariable("MINIRUN_NETWORK", "host");
    }
}
