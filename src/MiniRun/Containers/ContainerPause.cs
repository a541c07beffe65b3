using MiniRun.Common;
using System.Runtime.InteropServices;
using MiniRun.Sandbox.Cgroups;

namespace MiniRun.Containers;

/// <summary>
/// A running container frozen (cgroup freezer) while the host reads its files: `commit` and `export` then see one
/// consistent tree, and nothing in the container can rename, swap or rewrite a file under the reader. `docker commit`
/// pauses by default the same way (--pause). Disposing thaws it, whatever happened meanwhile; so does a SIGINT, SIGTERM
/// or SIGHUP that ends minirun in between (only a SIGKILL could leave it frozen).
/// </summary>
public sealed class ContainerPause : IDisposable
{
    private readonly ICgroupManager _cgroups;
    private readonly string _cgroup;
    private readonly List<PosixSignalRegistration> _signals = [];
    private int _thawed;

    private ContainerPause(ICgroupManager cgroups, string cgroup)
    {
        _cgroups = cgroups;
        _cgroup = cgroup;
    }

    /// <summary>Freezes <paramref name="container"/> when <paramref name="pause"/> and it is running; null when there is nothing to pause.</summary>
    public static ContainerPause? WhileReading(ContainerStore containers, Container container, bool pause)
    {
        // Already paused by `pause`: frozen as it is, and to stay so after the read.
        if (!pause || containers.Observe(container) is not { Running: true, Paused: false }) return null;
        // Rootless without a delegated group: no cgroup to freeze; read as --pause=false does (Podman's rootless cgroup v1 the same).
        ICgroupManager? detected = CgroupDetector.Detect();
        if (detected is null && RootlessMode.Active) return null;
        ICgroupManager cgroups = detected
            ?? throw new MiniRunException("cannot pause the container: no cgroup filesystem is mounted");
        var frozen = new ContainerPause(cgroups, CgroupNames.For(container.Id));
        // Registered before the freeze: a signal at any point after it still thaws (the default action then ends us).
        foreach (PosixSignal signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP })
            frozen._signals.Add(PosixSignalRegistration.Create(signal, _ => frozen.TryThaw()));
        try
        {
            cgroups.Freeze(frozen._cgroup);
        }
        catch
        {
            frozen.TryThaw(); // a freeze that failed half-way (a missing cgroup: nothing to thaw, and no second error)
            frozen.Dispose();
            throw;
        }
        return frozen;
    }

    private void TryThaw()
    {
        try
        {
            Thaw();
        }
        catch (MiniRunException)
        {
        }
    }

    private void Thaw()
    {
        if (Interlocked.Exchange(ref _thawed, 1) == 0) _cgroups.Thaw(_cgroup);
    }

    public void Dispose()
    {
        try
        {
            Thaw();
        }
        finally
        {
            foreach (PosixSignalRegistration registration in _signals) registration.Dispose();
        }
    }
}
