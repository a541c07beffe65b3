using MiniRun.Explain;
using MiniRun.Layers;
using MiniRun.Native;
using MiniRun.Runtime.Spec;
using MiniRun.Sandbox;
using MiniRun.Sandbox.Cgroups;
using MiniRun.Store;

using MiniRun.Containers;

namespace MiniRun.Runtime.Lifecycle;

/// <summary>
/// `run --dry-run`: the container as a bash script of standard tools, made by running the same code a real run runs
/// (the snapshotter, the cgroup manager, the init sequence) against the seam's dry-run decorator, which prints each
/// call and does nothing. It creates nothing when built; when run (as root) it makes the container under tmp/ of the
/// store, runs the command — its output and exit status are the script's — and removes everything, as --rm does.
/// </summary>
public static class DryRunScript
{
    public static string Build(StorePaths paths, ContainerRunner runner, ContainerRecord record)
    {
        // The script makes no CNI attachment (the plugins keep state in the store, which a dry run never writes): its
        // namespace has only lo, as --network none (pasta's too). --explain shows each plugin call and pasta's of a real run.
        bool unscriptedNetwork = record.Network is NetworkMode.Bridge or NetworkMode.Container or NetworkMode.Pasta;
        record = record with { AutoRemove = true, Network = unscriptedNetwork ? NetworkMode.None : record.Network, Networks = [], NetworkContainer = null };
        string relative = Path.Combine(Path.GetFileName(paths.Temp), "dry-run-" + record.Id[..12]);
        string dir = Path.Combine(paths.Root, relative);
        string merged = Path.Combine(dir, ContainerSnapshotter.MergedDirectory);
        var text = new StringWriter();
        var sys = new DryRunSyscalls(text, LinuxSyscalls.Instance, paths.Root);
        ICgroupManager? cgroups = CgroupDetector.Detect(sys);
        string cgroup = CgroupNames.For(record.Id);
        CgroupLimits limits = record.CgroupLimits();
        IReadOnlyList<Layer> layers = runner.Snapshotter.ImageLayers(record);

        if (unscriptedNetwork)
            sys.Describe(": no CNI attachment", "--network bridge, NAME or container: is not scripted: the CNI plugins keep state in the store, which a dry run never writes; " +
                        "this namespace has only lo, as --network none (run with --explain to see each plugin call)", alreadyDone: false);
        ContainerNamespaces modes = record.Namespaces;
        SharedIpc? ipc = runner.ResolveIpc(record, dir);

        runner.Snapshotter.Prepare(sys, dir, record);
        runner.Snapshotter.Mount(sys, relative, record, mayBeMounted: false);
        if (modes.IpcShareable) ContainerIpc.MountShm(sys, dir, modes.ShmSize);
        ContainerRunner dryRunner = runner.WithSyscalls(sys);
        (OciSpec config, InitSpec spec) = dryRunner.Bundle(record, merged, ContainerUser.Resolve(UserDatabaseRoot(record, layers), record.User), cgroups, limits,
            store: null, ipc);
        dryRunner.WriteConfig(record, dir, config);
        cgroups?.Create(cgroup, limits);
        sys.StageBegins(modes.PidHost ? NamespaceFlags.None : NamespaceFlags.Pid, modes.PidHost
            ? "--pid host: no PID namespace of its own, the command sees the host's processes; the lines up to its exec are what minirun's init stage does"
            : "new PID namespace: the command becomes PID 1; the lines up to the command's exec are what minirun's init stage does in it");
        InitSequence.Prepare(sys, spec);
        InitSequence.Enter(sys, spec);
        sys.Exec(spec.Process.Args, spec.Process.Env);
        sys.StageEnded();
        cgroups?.Remove(cgroup);
        ContainerSnapshotter.Unmount(sys, merged);
        if (modes.IpcShareable) ContainerIpc.UnmountShm(sys, dir);
        sys.Explain("--rm: the container's directory goes too");
        ContainerSnapshotter.RemoveDirectory(sys, paths, dir);
        sys.Describe("exit $status", "the script exits with the command's status", alreadyDone: false);

        IReadOnlyList<string> cgroupDirs = cgroups?.Directories(cgroup) ?? [];
        IReadOnlyList<string> processDirs = cgroups?.ProcessDirectories(cgroup, limits) ?? [];
        var script = new System.Text.StringBuilder();
        script.Append($$"""
            #!/usr/bin/env bash
            # minirun run --dry-run: this container made with standard tools (util-linux, coreutils, attr, keyutils, capsh from libcap2-bin).
            # Run it as root: bash SCRIPT. It prints what the command prints, exits with its status and cleans up after itself.
            set -uo pipefail
            cleanup() {
              set +e
              umount {{Q(merged)}} 2>/dev/null

            """);
        if (modes.IpcShareable) script.Append($"  umount -l {Q(ContainerIpc.ShmDirectory(dir))} 2>/dev/null\n");
        foreach (string cg in processDirs.Where(d => !cgroupDirs.Contains(d)).Concat(cgroupDirs)) // the limits' leaves first
            script.Append($"  for _ in 1 2 3 4 5 6 7 8 9 10; do rmdir {Q(cg)} 2>/dev/null && break; [ -d {Q(cg)} ] || break; sleep 0.1; done\n");
        script.Append($"  rm -rf {Q(dir)}\n}}\ntrap cleanup EXIT\nset -e\nstatus=125\n\n");
        script.Append(text);
        return script.ToString();
    }

    /// <summary>Where -u NAME is looked up without a merged tree: the top-most layer that has an /etc/passwd.</summary>
    private static string UserDatabaseRoot(ContainerRecord record, IReadOnlyList<Layer> layers)
    {
        foreach (string dir in record.ExtraLayers.Concat(layers.Reverse().Select(l => l.DiffPath)))
            if (File.Exists(Path.Combine(dir, "etc/passwd"))) return dir;
        return layers.Count > 0 ? layers[^1].DiffPath : "/nonexistent";
    }

    private static string Q(string path) => ShellQuote.Quote(path);
}
