using System.Text;
using MiniRun.Explain;
using MiniRun.Layers;
using MiniRun.Sandbox;
using MiniRun.Sandbox.Cgroups;
using MiniRun.Store;

namespace MiniRun.Containers;

/// <summary>
/// `run --dry-run`: the container as a bash script of standard tools (util-linux mount and unshare, coreutils, capsh),
/// made from the same steps --explain prints. It creates nothing when built; when run (as root) it makes the container
/// under tmp/ of the store, runs the command — its output and exit status are the script's — and removes everything.
/// </summary>
public static class DryRunScript
{
    public static string Build(StorePaths paths, ContainerRunner runner, ContainerRecord record)
    {
        string relative = Path.Combine(Path.GetFileName(paths.Temp), "dry-run-" + record.Id[..12]);
        string dir = Path.Combine(paths.Root, relative);
        string merged = Path.Combine(dir, "merged");
        IReadOnlyList<Layer> layers = runner.ImageLayers(record);
        var cgroupSteps = new RecordingNarrator();
        ICgroupManager? cgroups = CgroupDetector.Detect(cgroupSteps);
        string cgroup = CgroupNames.For(record.Id);
        CgroupLimits limits = record.Resources.ToLimits(record.Security.Privileged);
        InitSpec spec = ContainerRunner.BuildInitSpec(record, merged, ContainerUser.Resolve(UserDatabaseRoot(record, layers), record.User), cgroups, limits);
        cgroups?.Create(cgroup, limits);
        IReadOnlyList<string> cgroupDirs = cgroups?.Directories(cgroup) ?? [];
        IReadOnlyList<string> processDirs = cgroups?.ProcessDirectories(cgroup, limits) ?? [];

        var lower = new List<string>();
        var setup = new List<Step>
        {
            new($"mkdir -p {Q(Path.Combine(dir, "diff"))} {Q(Path.Combine(dir, "work"))} {Q(merged)}",
                "the container's own directories: upper (its writes), overlay's work dir, and the mount point"),
        };
        for (int i = 0; i < record.ExtraLayers.Count; i++)
        {
            lower.Add(Path.Combine(relative, $"layer-{i}"));
            setup.Add(new($"ln -s {Q(record.ExtraLayers[i])} {Q(Path.Combine(dir, $"layer-{i}"))}", "--layer: an extra lower directory, above the init layer"));
        }
        lower.Add(Path.Combine(relative, "init"));
        lower.AddRange(layers.Reverse().Select(l => l.ShortLink));
        setup.AddRange(InitLayer.Steps(Path.Combine(dir, "init"), record.Hostname, record.Network));
        setup.AddRange(RunSteps.Layers(layers));
        MountRecord overlay = OverlayMount.Build(lower, Path.Combine(relative, "diff"), Path.Combine(relative, "work"), merged);
        setup.Add(RunSteps.Overlay(paths.Root, overlay));
        setup.AddRange(cgroupSteps.Steps);

        var inside = new List<Step>();
        inside.AddRange(processDirs.Select(d => new Step($"echo $$ > {Q(Path.Combine(d, "cgroup.procs"))}", "join the cgroup; the command and its children stay in it")));
        inside.AddRange(RunSteps.PrepareRoot(spec));
        if (spec.CgroupMounts.Count > 0)
            inside.Add(new($"unshare --cgroup sh -c {ShellQuote.Quote(string.Join(" && ", RunSteps.CgroupMountCommands(spec)))}",
                "/sys/fs/cgroup, read-only, mounted from a new cgroup namespace rooted at the container's groups: each mount shows its own group as the root"));
        inside.Add(new($"mkdir -p {Q(Path.Combine(merged, spec.WorkingDir.TrimStart('/')))}", "the working directory (created when missing, as Docker does)"));
        foreach (MountRecord mount in spec.RootMounts)
            inside.Add(new((mount with { Source = merged, Target = merged }).ToShellCommand(), "--read-only: the root filesystem read-only"));
        inside.Add(new("umask 022", "runc's umask for container processes"));

        var script = new StringBuilder();
        script.Append($$"""
            #!/usr/bin/env bash
            # minirun run --dry-run: this container made with standard tools (util-linux, coreutils, capsh from libcap2-bin).
            # Run it as root: bash SCRIPT. It prints what the command prints, exits with its status and cleans up after itself.
            set -uo pipefail
            cleanup() {
              umount {{Q(merged)}} 2>/dev/null

            """);
        foreach (string cg in processDirs.Where(d => !cgroupDirs.Contains(d)).Concat(cgroupDirs)) // the limits' leaves first
            script.Append($"  for _ in 1 2 3 4 5 6 7 8 9 10; do rmdir {Q(cg)} 2>/dev/null && break; [ -d {Q(cg)} ] || break; sleep 0.1; done\n");
        script.Append($"  rm -rf {Q(dir)}\n}}\ntrap cleanup EXIT\nset -e\n\n");
        foreach (Step step in setup) AppendStep(script, step);
        script.Append("\ninside=$(cat <<'INSIDE'\nset -e\n");
        foreach (Step step in inside) AppendStep(script, step);
        script.Append("# minirun enters the root with " + (spec.UseChroot ? "chroot(2)" : "pivot_root(2) and detaches the old root; a script cannot, since no host tool\n" +
            "# (capsh) could run after it: its libraries would be looked up in the container. capsh --chroot is the nearest equivalent") + ".\n");
        if (!record.Security.Privileged && !record.Security.SeccompUnconfined)
            script.Append("# minirun also joins a new session keyring and loads a seccomp filter (" +
                          (record.Security.SeccompProfile is null ? "Docker's default profile" : "the --security-opt seccomp profile") +
                          ") just before execve; no host tool\n# loads a seccomp filter, so this script runs the command without one.\n");
        script.Append("# " + "keep only the container's capabilities in the bounding set, enter the root, become the user (capabilities(7)), then execve the command\n");
        string nnp = spec.NoNewPrivileges ? "setpriv --no-new-privs " : "";
        script.Append($"exec {(spec.CgroupMounts.Count > 0 ? "unshare --cgroup " : "")}env -i {ShellQuote.Join(spec.Env)} {nnp}{RunSteps.CapshOptions(spec, merged)} --shell=/bin/sh -- " +
                      $"-c 'cd \"$0\" && exec \"$@\"' {ShellQuote.Quote(spec.WorkingDir)} {ShellQuote.Join(spec.Args)}\nINSIDE\n)\n\n");
        script.Append("set +e\n");
        AppendStep(script, RunSteps.Namespaces(SandboxLauncher.NamespacesFor(record.Network == NetworkMode.None), "bash -c \"$inside\""));
        script.Append("status=$?\nexit $status\n");
        return script.ToString();
    }

    private static void AppendStep(StringBuilder script, Step step)
    {
        script.Append("# ").Append(step.Why).Append('\n');
        script.Append(step.AlreadyDone ? "#(done) " : "").Append(step.Command).Append('\n');
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
