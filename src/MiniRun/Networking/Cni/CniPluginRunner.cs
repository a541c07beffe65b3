using System.Text;
using MiniRun.Native;

namespace MiniRun.Networking.Cni;

/// <summary>
/// Runs one plugin as SPEC.md's "Execution protocol" says: its config on stdin, the parameters in CNI_* variables,
/// its result (or error) on stdout; stderr is the plugin's own log and goes to ours. Spawned with posix_spawn, never fork.
/// </summary>
public sealed class CniPluginRunner(CniPluginPath path)
{
    private const int MaxOutputBytes = 1 << 20;

    public CniPluginPath Path => path;

    /// <summary>The plugin's stdout when it exits 0; a one-line <see cref="MiniRunException"/> naming it otherwise.</summary>
    public string Run(string type, CniCommand command, RuntimeConf runtime, byte[] config)
    {
        string program = path.Find(type);
        // A plugin reads its whole stdin before it acts (skel.PluginMain), and a config fits a pipe's buffer.
        (int status, byte[] output) = ProcessControl.RunPiped(program, [type], Environment(command, runtime), config);
        if (output.Length > MaxOutputBytes) throw new MiniRunException($"CNI plugin {type}: more than 1 MiB of output");
        string text = Encoding.UTF8.GetString(output);
        if (status != 0) throw CniPluginError.From(type, command, status, text);
        return text;
    }

    /// <summary>Ours less any CNI_* of our own caller's, plus the parameters of this call.</summary>
    private List<string> Environment(CniCommand command, RuntimeConf runtime)
    {
        List<string> environment = [];
        foreach (System.Collections.DictionaryEntry variable in System.Environment.GetEnvironmentVariables())
            if (!((string)variable.Key).StartsWith("CNI_", StringComparison.Ordinal)) environment.Add($"{variable.Key}={variable.Value}");
        environment.Add("CNI_COMMAND=" + command.ToString().ToUpperInvariant());
        environment.Add("CNI_CONTAINERID=" + runtime.ContainerId);
        environment.Add("CNI_NETNS=" + runtime.NetNs);
        environment.Add("CNI_IFNAME=" + runtime.IfName);
        environment.Add("CNI_PATH=" + path);
        // Plugins look up iptables and the like on PATH; a sudo or systemd environment may have none.
        if (System.Environment.GetEnvironmentVariable("PATH") is null) environment.Add("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        return environment;
    }
}
