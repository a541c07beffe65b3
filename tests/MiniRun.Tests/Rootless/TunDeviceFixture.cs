using MiniRun.Containers;

namespace MiniRun.Tests.Rootless;

/// <summary>
/// pasta opens /dev/net/tun as the user: Debian's mode for it is 0666, this kind of machine's 0600, which closes it to
/// every ordinary user (root of a user namespace has no power over root's files). The rootless network tests set
/// Debian's default mode before they run and put the original mode back after.
/// </summary>
public sealed class TunDeviceFixture : IDisposable
{
    private const UnixFileMode DebianDefault = (UnixFileMode)0x1b6; // 0666

    /// <summary>The mode found, put back by <see cref="Dispose"/>; null when nothing was changed (not root, no device).</summary>
    public UnixFileMode? Original { get; }

    public TunDeviceFixture()
    {
        if (!MiniRun.Native.Syscalls.IsRoot || !File.Exists(PastaNetwork.TunDevice)) return;
        Original = File.GetUnixFileMode(PastaNetwork.TunDevice);
        File.SetUnixFileMode(PastaNetwork.TunDevice, DebianDefault);
    }

    /// <summary>A mode for the duration of one test (the closed device's refusal), Debian's again when disposed.</summary>
    public IDisposable Set(UnixFileMode mode)
    {
        File.SetUnixFileMode(PastaNetwork.TunDevice, mode);
        return new Restore();
    }

    public void Dispose()
    {
        if (Original is { } mode) File.SetUnixFileMode(PastaNetwork.TunDevice, mode);
    }

    private sealed class Restore : IDisposable
    {
        public void Dispose() => File.SetUnixFileMode(PastaNetwork.TunDevice, DebianDefault);
    }
}
