using System.Globalization;
using MiniRun.Containers;

namespace MiniRun.Runtime.Lifecycle;

/// <summary>
/// A systemd service for a container, as `podman generate systemd` prints one. MiniRun has no daemon: after a reboot
/// nothing starts a container, whatever its --restart, unless a service manager does. Type=forking, as podman's: `minirun
/// start` returns once the container runs and leaves its supervisor behind, the service's main process (PIDFile=), which
/// applies --restart and exits when the container stops for good (0 after a stop). ExecStop is `minirun stop` with the
/// container's stop timeout, so the stop signal is the container's and no restart follows; TimeoutStopSec leaves it a
/// minute more, as podman's. The unit's own Restart= (podman's on-failure by default) starts it again if the supervisor fails.
/// </summary>
public static class SystemdUnit
{
    /// <summary>systemd's Restart= values (systemd.service(5)).</summary>
    public static readonly string[] RestartValues = ["no", "on-success", "on-failure", "on-abnormal", "on-watchdog", "on-abort", "always"];

    /// <summary>What to write into the unit.</summary>
    /// <param name="binary">minirun's absolute path.</param>
    /// <param name="storeRoot">the store, given with --root unless it is the default one.</param>
    /// <param name="byName">ExecStart/ExecStop name the container by its name (podman's --name), else by its ID, which a rename keeps.</param>
    /// <param name="restart">the unit's Restart=.</param>
    /// <param name="stopTimeout">seconds `minirun stop` waits before SIGKILL; null: the container's own.</param>
    /// <param name="rootless">an ordinary user's container: a unit of the user's own service manager (systemctl --user).</param>
    public sealed record Options(string Binary, string StoreRoot, bool ByName = false, string Restart = "on-failure", int? StopTimeout = null, bool Rootless = false);

    /// <summary>The file name podman gives it: container-NAME.service.</summary>
    public static string FileName(Container container) => $"container-{container.Name}.service";

    public static string Generate(Container container, Options options)
    {
        if (!RestartValues.Contains(options.Restart))
            throw new MiniRunException($"--restart-policy {options.Restart}: expected one of {string.Join(", ", RestartValues)} (systemd's Restart=)");
        int stopTimeout = options.StopTimeout ?? container.Record.StopTimeout ?? 10;
        string minirun = Quote(options.Binary) + (options.StoreRoot == Store.StorePaths.DefaultRoot ? "" : " --root " + Quote(options.StoreRoot));
        string target = options.ByName ? container.Name : container.Id;
        string timeoutStop = stopTimeout < 0 ? "infinity" : (stopTimeout + 60).ToString(CultureInfo.InvariantCulture);
        return string.Create(CultureInfo.InvariantCulture, $"""
            # {FileName(container)}
            # Made by `minirun generate systemd`. MiniRun has no daemon: after a reboot, nothing starts a container
            # (--restart included) unless this unit does. {Install(container, options.Rootless)}

            [Unit]
            Description=MiniRun container {container.Name}
            Wants=network-online.target
            After=network-online.target
            RequiresMountsFor={Quote(options.StoreRoot)}

            [Service]
            Type=forking
            Restart={options.Restart}
            TimeoutStopSec={timeoutStop}
            ExecStart={minirun} start {target}
            ExecStop={minirun} stop -t {stopTimeout.ToString(CultureInfo.InvariantCulture)} {target}
            PIDFile={Quote(Path.Combine(container.Directory, RestartLoop.PidFileName))}

            [Install]
            WantedBy=default.target

            """);
    }

    /// <summary>
    /// Where the unit goes and how it is enabled: root's in /etc/systemd/system; a rootless container's in the user's
    /// own unit directory, for the user's service manager, which starts at boot only with lingering (loginctl(1)), as
    /// podman's rootless units are installed.
    /// </summary>
    private static string Install(Container container, bool rootless) => rootless
        ? $"""
          Install it as ~/.config/systemd/user/{FileName(container)}, then:
          #   systemctl --user daemon-reload && systemctl --user enable --now {FileName(container)}
          # and, for it to start at boot without a login: loginctl enable-linger $USER
          """
        : $"""
          Install it as /etc/systemd/system/{FileName(container)}, then:
          #   systemctl daemon-reload && systemctl enable --now {FileName(container)}
          """;

    /// <summary>A word as systemd reads it: % doubled (specifiers), and double quotes around one that holds a space or a quote.</summary>
    private static string Quote(string word)
    {
        string text = word.Replace("%", "%%", StringComparison.Ordinal);
        return text.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '\\' or ';')
            ? "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\""
            : text;
    }
}
