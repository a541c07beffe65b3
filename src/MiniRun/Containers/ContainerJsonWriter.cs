using System.Text.Json;

namespace MiniRun.Containers;

/// <summary>
/// Writes config.json and state.json member by member with a <see cref="Utf8JsonWriter"/>: byte for byte what the
/// generated <see cref="ContainerJsonContext"/> writes and reads (tested so). `run` writes both on its way to the
/// start, and the first use of a serializer context (NativeAOT: its options, converters and each type's metadata,
/// attribute scans included) cost about 0.4 ms there, even with generated serialization-only code.
/// </summary>
internal static class ContainerJsonWriter
{
    public static byte[] Write(ContainerRecord record) => JsonObjectWriter.Write(indented: true, json =>
    {
        json.WriteString(nameof(ContainerRecord.Id), record.Id);
        json.WriteString(nameof(ContainerRecord.Name), record.Name);
        json.WriteString(nameof(ContainerRecord.Created), record.Created);
        json.WriteString(nameof(ContainerRecord.ImageId), record.ImageId);
        json.WriteString(nameof(ContainerRecord.ImageName), record.ImageName);
        JsonObjectWriter.Strings(json, nameof(ContainerRecord.Args), record.Args);
        JsonObjectWriter.Strings(json, nameof(ContainerRecord.Env), record.Env);
        json.WriteString(nameof(ContainerRecord.WorkingDir), record.WorkingDir);
        json.WriteString(nameof(ContainerRecord.User), record.User);
        json.WriteString(nameof(ContainerRecord.Hostname), record.Hostname);
        json.WriteString(nameof(ContainerRecord.Network), record.NetworkName);
        json.WriteStartArray(nameof(ContainerRecord.Networks));
        foreach (NetworkEndpoint endpoint in record.Networks)
        {
            json.WriteStartObject();
            json.WriteString(nameof(NetworkEndpoint.Name), endpoint.Name);
            JsonObjectWriter.Strings(json, nameof(NetworkEndpoint.Aliases), endpoint.Aliases);
            if (endpoint.IPv4Address is not null) json.WriteString(nameof(NetworkEndpoint.IPv4Address), endpoint.IPv4Address);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        if (record.NetworkContainer is not null) json.WriteString(nameof(ContainerRecord.NetworkContainer), record.NetworkContainer);
        JsonObjectWriter.Strings(json, nameof(ContainerRecord.Dns), record.Dns);
        JsonObjectWriter.Strings(json, nameof(ContainerRecord.DnsSearch), record.DnsSearch);
        JsonObjectWriter.Strings(json, nameof(ContainerRecord.DnsOptions), record.DnsOptions);
        json.WriteBoolean(nameof(ContainerRecord.UseChroot), record.UseChroot);
        json.WriteBoolean(nameof(ContainerRecord.AutoRemove), record.AutoRemove);
        json.WriteStartObject(nameof(ContainerRecord.RestartPolicy));
        json.WriteString(nameof(RestartPolicy.Name), record.RestartPolicy.Name);
        json.WriteNumber(nameof(RestartPolicy.MaximumRetryCount), record.RestartPolicy.MaximumRetryCount);
        json.WriteEndObject();
        if (record.StopSignal is not null) json.WriteString(nameof(ContainerRecord.StopSignal), record.StopSignal);
        if (record.StopTimeout is { } stopTimeout) json.WriteNumber(nameof(ContainerRecord.StopTimeout), stopTimeout);
        json.WriteBoolean(nameof(ContainerRecord.Tty), record.Tty);
        json.WriteBoolean(nameof(ContainerRecord.OpenStdin), record.OpenStdin);
        json.WriteBoolean(nameof(ContainerRecord.StdinOnce), record.StdinOnce);
        JsonObjectWriter.Strings(json, nameof(ContainerRecord.ExtraLayers), record.ExtraLayers);
        JsonObjectWriter.Strings(json, nameof(ContainerRecord.Layers), record.Layers);

        ContainerResources resources = record.Resources;
        json.WriteStartObject(nameof(ContainerRecord.Resources));
        if (resources.MemoryBytes is { } memory) json.WriteNumber(nameof(ContainerResources.MemoryBytes), memory);
        if (resources.PidsLimit is { } pids) json.WriteNumber(nameof(ContainerResources.PidsLimit), pids);
        if (resources.Cpus is { } cpus) json.WriteNumber(nameof(ContainerResources.Cpus), cpus);
        if (resources.CpuShares is { } shares) json.WriteNumber(nameof(ContainerResources.CpuShares), shares);
        json.WriteEndObject();

        ContainerSecurity security = record.Security;
        json.WriteStartObject(nameof(ContainerRecord.Security));
        JsonObjectWriter.Strings(json, nameof(ContainerSecurity.CapAdd), security.CapAdd);
        JsonObjectWriter.Strings(json, nameof(ContainerSecurity.CapDrop), security.CapDrop);
        json.WriteBoolean(nameof(ContainerSecurity.Privileged), security.Privileged);
        json.WriteBoolean(nameof(ContainerSecurity.ReadOnlyRootfs), security.ReadOnlyRootfs);
        json.WriteBoolean(nameof(ContainerSecurity.NoNewPrivileges), security.NoNewPrivileges);
        json.WriteBoolean(nameof(ContainerSecurity.SeccompUnconfined), security.SeccompUnconfined);
        if (security.SeccompProfile is not null) json.WriteString(nameof(ContainerSecurity.SeccompProfile), security.SeccompProfile);
        json.WriteEndObject();

        json.WriteStartArray(nameof(ContainerRecord.Mounts));
        foreach (ContainerMount mount in record.Mounts)
        {
            json.WriteStartObject();
            json.WriteString(nameof(ContainerMount.Type), mount.Type);
            json.WriteString(nameof(ContainerMount.Name), mount.Name);
            json.WriteString(nameof(ContainerMount.Source), mount.Source);
            json.WriteString(nameof(ContainerMount.Destination), mount.Destination);
            json.WriteBoolean(nameof(ContainerMount.ReadOnly), mount.ReadOnly);
            json.WriteBoolean(nameof(ContainerMount.Anonymous), mount.Anonymous);
            json.WriteBoolean(nameof(ContainerMount.NoCopy), mount.NoCopy);
            json.WriteString(nameof(ContainerMount.Options), mount.Options);
            json.WriteEndObject();
        }
        json.WriteEndArray();
        JsonObjectWriter.Strings(json, nameof(ContainerRecord.Ulimits), record.Ulimits);
        json.WriteBoolean(nameof(ContainerRecord.Init), record.Init);
        JsonObjectWriter.Strings(json, nameof(ContainerRecord.ExtraHosts), record.ExtraHosts);
        JsonObjectWriter.Strings(json, nameof(ContainerRecord.Devices), record.Devices);

        ContainerNamespaces namespaces = record.Namespaces;
        json.WriteStartObject(nameof(ContainerRecord.Namespaces));
        json.WriteString(nameof(ContainerNamespaces.Pid), namespaces.Pid);
        json.WriteString(nameof(ContainerNamespaces.Ipc), namespaces.Ipc);
        json.WriteString(nameof(ContainerNamespaces.Uts), namespaces.Uts);
        json.WriteNumber(nameof(ContainerNamespaces.ShmSize), namespaces.ShmSize);
        json.WriteEndObject();
        json.WriteStartObject(nameof(ContainerRecord.Labels));
        foreach ((string name, string value) in record.Labels) json.WriteString(name, value);
        json.WriteEndObject();
        json.WriteStartArray(nameof(ContainerRecord.Ports));
        foreach (PortBinding port in record.Ports)
        {
            json.WriteStartObject();
            json.WriteNumber(nameof(PortBinding.Port), port.Port);
            json.WriteString(nameof(PortBinding.Protocol), port.Protocol);
            json.WriteString(nameof(PortBinding.HostIp), port.HostIp);
            json.WriteNumber(nameof(PortBinding.HostPort), port.HostPort);
            json.WriteEndObject();
        }
        json.WriteEndArray();
    });

    public static byte[] Write(ContainerState state) => JsonObjectWriter.Write(indented: true, json =>
    {
        json.WriteString(nameof(ContainerState.Status), state.Status.Name());
        json.WriteNumber(nameof(ContainerState.Pid), state.Pid);
        json.WriteNumber(nameof(ContainerState.PidStartTicks), state.PidStartTicks);
        json.WriteNumber(nameof(ContainerState.RunnerPid), state.RunnerPid);
        json.WriteNumber(nameof(ContainerState.RunnerStartTicks), state.RunnerStartTicks);
        json.WriteNumber(nameof(ContainerState.ExitCode), state.ExitCode);
        if (state.Error is not null) json.WriteString(nameof(ContainerState.Error), state.Error);
        json.WriteBoolean(nameof(ContainerState.OomKilled), state.OomKilled);
        json.WriteNumber(nameof(ContainerState.RestartCount), state.RestartCount);
        if (state.StartedAt is { } started) json.WriteString(nameof(ContainerState.StartedAt), started);
        if (state.FinishedAt is { } finished) json.WriteString(nameof(ContainerState.FinishedAt), finished);
    });
}
