using MiniRun.Containers;
using MiniRun.Containers.Attach;
using MiniRun.Native;

namespace MiniRun.Runtime.Lifecycle;

/// <summary>
/// `start -a`: the container's supervisor is told to wait for its first attach client before it starts the container,
/// and that client connects, so that nothing the container prints is missed (docker start -a attaches, then starts).
/// </summary>
public static class AttachedStart
{
    /// <summary>Spawns the supervisor and returns a connection to its attach socket once it listens.</summary>
    public static int Begin(ContainerStore containers, Container container, TimeSpan timeout)
    {
        RestartLoop.BeforeUserStart(containers, container); // a start by the user, as Start's
        int pid = ContainerSupervisor.Spawn(containers, container, attachFirst: true);
        DateTime deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            bool supervisorGone = HostProcess.Find(pid) is null; // before the connect: one that fails after it is conclusive
            if (AttachClient.TryConnect(container.Directory) is { } socket) return socket;
            if (supervisorGone)
                throw new MiniRunException($"the supervisor of container {container.ShortId} exited before the container started: see {container.LogPath}");
            if (DateTime.UtcNow >= deadline)
                throw new MiniRunException($"container {container.ShortId} did not start within {timeout.TotalSeconds} s: see {container.LogPath}");
            Thread.Sleep(5);
        }
    }
}
