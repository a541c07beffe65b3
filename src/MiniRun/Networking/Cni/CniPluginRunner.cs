using System.Text;
using MiniRun.Native;

namespace MiniRun.Networking.Cni;

/// <summary>
/// Runs one plugin as SPEC.md's "Execution protocol" says: its config on stdin, the parameters in CNI_* variables,
/// its result (or error) on stdout; stderr is the plugin's own log and goes to ours. Spawned with posix_spawn, never fork.
/// </summary>
public sealed class CniPluginRunner(CniPluginPath path, ISyscalls? sys = null)
{
    private const int MaxOutputBytes = 1 << 20;
    private readonly ISyscalls _sys = sys ?? LinuxSyscalls.Instance;

    public CniPluginPath Path => path;

    /// <summary>The plugin's stdout when it exits 0; a one-line <see cref="MiniRunException"/> naming it otherwise.</summary>
    public string Run(string type, CniCommand command, RuntimeConf runtime, byte[] config)
    {
        string program = path.Find(type);
        // A plugin reads its whole stdin before it acts (skel.PluginMain), and a config fits a pipe's buffer.
        _sys.Explain($"CNI {command.ToString().ToUpperInvariant()}: the {type} plugin, its config on stdin, the call in CNI_* variables (the CNI spec's execution protocol)");
        (int status, byte[] output) = _sys.RunProgram(program, [type], Variables(command, runtime), config);
        if (output.Length > MaxOutputBytes) throw new MiniRunException($"CNI plugin {type}: more than 1 MiB of output");
        string text = Encoding.UTF8.GetString(output);
        if (status != 0) throw CniPluginError.From(type, command, status, text);
        return text;
    }

    /// <summary>The parameters of this call, which replace any CNI_* of our own caller's.</summary>
    private List<string> Variables(CniCommand command, RuntimeConf runtime)
    {
        List<string> variables =
        [
            "CNI_COMMAND=" + command.ToString().ToUpperInvariant(),
            "CNI_CONTAINERID=" + runtime.ContainerId,
            "CNI_NETNS=" + runtime.NetNs,
            "CNI_IFNAME=" + runtime.IfName,
            "CNI_PATH=" + path,
        ];
        if (System.Environment.GetEnvironmentVariable("CNI_ARGS") is not null) variables.Add("CNI_ARGS=");
        // Plugins look up iptables and the like on PATH; a sudo or systemd environment may have none.
        if (System.Environment.GetEnvironmentVariable("PATH") is null) variables.Add("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        return variables;
    }
}
