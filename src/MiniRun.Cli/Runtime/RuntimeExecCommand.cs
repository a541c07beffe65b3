using System.Globalization;
using MiniRun.Cli.CommandLine;
using MiniRun.Runtime.Lifecycle;
using MiniRun.Runtime.Spec;

namespace MiniRun.Cli.Runtime;

/// <summary>
/// The runtime's `exec` and `update`, with runc's flags: what containerd's shim calls for `docker exec`, `ctr task exec`
/// (`exec --process FILE --detach --pid-file FILE [--console-socket S]`) and `docker update` (`update --resources -`).
/// </summary>
internal static class RuntimeExecCommand
{
    private static readonly OptionSpec[] ExecOptions =
    [
        OptionSpec.Value("process", 'p', "FILE", "the process as a runtime-spec process object (config.json's process)"),
        OptionSpec.Flag("tty", 't', "a terminal: its master goes to --console-socket"),
        OptionSpec.Value("console-socket", null, "SOCKET", "the unix socket the pty master is sent to"),
        OptionSpec.Flag("detach", 'd', "return once the process runs, instead of waiting for it"),
        OptionSpec.Value("pid-file", null, "FILE", "where to write the process's PID"),
        OptionSpec.Value("cwd", null, "DIR", "its working directory"),
        OptionSpec.Value("env", 'e', "K=V", "an environment variable more (repeatable)"),
        OptionSpec.Value("user", 'u', "UID[:GID]", "who it runs as, numerically"),
        OptionSpec.Value("additional-gids", 'g', "GID", "a supplementary group (repeatable)"),
        OptionSpec.Value("cap", 'c', "CAP", "a capability more (repeatable)"),
        OptionSpec.Flag("no-new-privs", null, "set no_new_privs"),
        OptionSpec.Flag("ignore-paused", null, "accepted, as runc does"),
        OptionSpec.Value("process-label", null, "LABEL", "SELinux: refused, MiniRun has none"),
        OptionSpec.Value("apparmor", null, "PROFILE", "AppArmor: refused, MiniRun has none"),
        OptionSpec.Value("preserve-fds", null, "N", "descriptors beyond stdio to pass: refused unless 0"),
        OptionSpec.Value("cgroup", null, "PATH", "a sub-cgroup: refused"),
    ];

    public static int Exec(BundleRuntime runtime, string[] args)
    {
        ParsedArguments parsed = ArgumentParser.Parse("runtime exec", args, ExecOptions, stopAtFirstPositional: true);
        if (parsed.Positionals.Count < 1) throw new UsageException("exec: exec [flags] ID [COMMAND ARG...] (or --process FILE)");
        foreach (string refused in new[] { "process-label", "apparmor", "cgroup" })
            if (parsed.Has(refused)) throw new UsageException($"exec: --{refused}: not supported by MiniRun; leave it out");
        if (parsed.Get("preserve-fds") is { } fds && fds != "0") throw new UsageException("exec: --preserve-fds: passing descriptors is not supported; leave it out");
        string id = parsed.Positionals[0];
        OciProcess process = Process(runtime, id, parsed);
        bool detach = parsed.Has("detach");
        int result = runtime.Exec(id, process, parsed.Get("console-socket"), detach,
            pid => { if (parsed.Get("pid-file") is { } pidFile) RuntimeCommandLine.WritePidFile(pidFile, pid); });
        return detach ? 0 : result;
    }

    /// <summary>--process FILE as it is, with --tty, --cwd, --env and --user over it (runc's order); else config.json's process with the command.</summary>
    private static OciProcess Process(BundleRuntime runtime, string id, ParsedArguments parsed)
    {
        OciProcess process;
        if (parsed.Get("process") is { } file)
        {
            if (parsed.Positionals.Count > 1) throw new UsageException("exec: give the command in --process or as arguments, not both");
            byte[] json = file == "-" ? ReadStandardInput() : ReadFile(file);
            process = OciSpecJson.ParseProcess(json, file);
        }
        else
        {
            if (parsed.Positionals.Count < 2) throw new UsageException("exec: a command is needed: exec ID COMMAND [ARG...] (or --process FILE)");
            process = runtime.ConfigProcess(id);
            process.Args = [.. parsed.Positionals.Skip(1)];
            process.Terminal = false;
        }
        if (parsed.Has("tty")) process.Terminal = true;
        if (parsed.Get("cwd") is { } cwd) process.Cwd = cwd;
        if (parsed.GetAll("env") is { Count: > 0 } env) process.Env = [.. process.Env ?? [], .. env];
        if (parsed.Get("user") is { } user)
        {
            string[] ids = user.Split(':');
            if (ids.Length > 2 || !uint.TryParse(ids[0], NumberStyles.None, CultureInfo.InvariantCulture, out uint uid)
                || (ids.Length == 2 && !uint.TryParse(ids[1], NumberStyles.None, CultureInfo.InvariantCulture, out _)))
                throw new UsageException($"exec: --user {user}: give numeric ids, UID[:GID]");
            process.User = new OciUser { Uid = uid, Gid = ids.Length == 2 ? uint.Parse(ids[1], CultureInfo.InvariantCulture) : 0, Umask = process.User.Umask };
        }
        foreach (string gid in parsed.GetAll("additional-gids"))
            process.User.AdditionalGids = [.. process.User.AdditionalGids ?? [], uint.TryParse(gid, NumberStyles.None, CultureInfo.InvariantCulture, out uint g) ? g
                : throw new UsageException($"exec: --additional-gids {gid}: a numeric group id")];
        if (parsed.Has("no-new-privs")) process.NoNewPrivileges = true;
        if (parsed.GetAll("cap") is { Count: > 0 } caps)
        {
            LinuxCapabilities sets = process.Capabilities ?? new LinuxCapabilities();
            List<string> permitted = [.. sets.Permitted ?? [], .. caps];
            process.Capabilities = new LinuxCapabilities { Bounding = permitted, Effective = permitted, Permitted = permitted, Inheritable = sets.Inheritable, Ambient = sets.Ambient };
        }
        return process;
    }

    private static readonly OptionSpec[] UpdateOptions =
    [
        OptionSpec.Value("resources", 'r', "FILE", "the new linux.resources object (- for stdin)"),
        OptionSpec.Value("memory", null, "BYTES", "the memory limit"),
        OptionSpec.Value("memory-swap", null, "BYTES", "memory plus swap (-1: unlimited)"),
        OptionSpec.Value("pids-limit", null, "N", "the most tasks"),
        OptionSpec.Value("cpu-quota", null, "MICROS", "CPU time per period"),
        OptionSpec.Value("cpu-period", null, "MICROS", "the period (100000 only)"),
        OptionSpec.Value("cpu-share", null, "N", "the relative CPU weight"),
        OptionSpec.Value("blkio-weight", null, "N", "refused"),
        OptionSpec.Value("cpuset-cpus", null, "LIST", "refused"),
        OptionSpec.Value("cpuset-mems", null, "LIST", "refused"),
        OptionSpec.Value("kernel-memory", null, "BYTES", "refused"),
        OptionSpec.Value("kernel-memory-tcp", null, "BYTES", "refused"),
        OptionSpec.Value("memory-reservation", null, "BYTES", "refused"),
        OptionSpec.Value("cpu-rt-period", null, "MICROS", "refused"),
        OptionSpec.Value("cpu-rt-runtime", null, "MICROS", "refused"),
    ];

    /// <summary>`update [--resources FILE|-] [--memory N] [--memory-swap N] [--pids-limit N] [--cpu-quota N] [--cpu-period N] [--cpu-share N] ID`.</summary>
    public static int Update(BundleRuntime runtime, string[] args)
    {
        ParsedArguments parsed = ArgumentParser.Parse("runtime update", args, UpdateOptions);
        if (parsed.Positionals.Count != 1) throw new UsageException("update: update [--resources FILE|-] [--memory BYTES] [--pids-limit N] [--cpu-quota MICROS] ... ID");
        foreach (string refused in new[] { "blkio-weight", "cpuset-cpus", "cpuset-mems", "kernel-memory", "kernel-memory-tcp", "memory-reservation", "cpu-rt-period", "cpu-rt-runtime" })
            if (parsed.Has(refused)) throw new UsageException($"update: --{refused}: MiniRun does not set this limit; leave it out");
        LinuxResources resources = parsed.Get("resources") is { } file
            ? OciSpecJson.ParseResources(file == "-" ? ReadStandardInput() : ReadFile(file), file == "-" ? "stdin" : file)
            : new LinuxResources();
        if (Number(parsed, "memory") is { } memory) (resources.Memory ??= new LinuxMemory()).Limit = memory;
        if (Number(parsed, "memory-swap") is { } swap) (resources.Memory ??= new LinuxMemory()).Swap = swap;
        if (Number(parsed, "pids-limit") is { } pids) resources.Pids = new LinuxPids { Limit = pids };
        if (Number(parsed, "cpu-quota") is { } quota) (resources.Cpu ??= new LinuxCpu()).Quota = quota;
        if (Number(parsed, "cpu-period") is { } period) (resources.Cpu ??= new LinuxCpu()).Period = (ulong)period;
        if (Number(parsed, "cpu-share") is { } shares) (resources.Cpu ??= new LinuxCpu()).Shares = (ulong)shares;
        runtime.Update(parsed.Positionals[0], resources);
        return 0;
    }

    private static long? Number(ParsedArguments parsed, string name) =>
        parsed.Get(name) is not { } text ? null
        : long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value) ? value
        : throw new UsageException($"update: --{name} {text}: a number is needed");

    private static byte[] ReadFile(string file)
    {
        try { return File.ReadAllBytes(file); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new UsageException($"{file}: no such file");
        }
    }

    private static byte[] ReadStandardInput()
    {
        using var stdin = Console.OpenStandardInput();
        using var buffer = new MemoryStream();
        stdin.CopyTo(buffer);
        return buffer.ToArray();
    }
}
