namespace MiniRun.Containers;

/// <summary>
/// One container port a -p value asks to publish (a container range gives one per port), before a host port is
/// chosen: Docker's HostConfig.PortBindings entry. <see cref="HostIp"/> is "" when none was given (every address).
/// </summary>
/// <param name="HostPorts">the host port, or the range to take a free one from (-p 8000-8010:80); null: any free one (-p 80, -p 0:80).</param>
public sealed record PortRequest(int ContainerPort, string Protocol, string HostIp, PortRange? HostPorts)
{
    /// <summary>"80/tcp", the key Docker lists a port under.</summary>
    public string Key => $"{ContainerPort}/{Protocol}";
}
