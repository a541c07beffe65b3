using MiniRun.Runtime.Spec;
using MiniRun.Sandbox;
using MiniRun.Sandbox.Cgroups;

using MiniRun.Containers;

namespace MiniRun.Runtime.Lifecycle;

/// <summary>What `minirun exec` was asked: the command and docker exec's -e, -w and -u.</summary>
public sealed record ExecRequest(IReadOnlyList<string> Command, IReadOnlyList<string> Env, string? WorkingDir, string? User);

/// <summary>`exec`: one more process in a running container, with the container's config as its defaults (docker exec's rules).</summary>
public static class ContainerExec
{
    /// <summary>Runs the command in the container and returns its exit status (125/126/127 as for run).</summary>
    public static int Run(ContainerStore containers, Container container, ExecRequest request)
    {
        if (request.Command.Count == 0) throw new MiniRunException("exec needs a command");
        ContainerStatus status = containers.Observe(container);
        if (!status.Running) throw new MiniRunException($"container {container.Name} is not running");
        ContainerRecord record = container.Record;
        ContainerUser user = ContainerUser.Resolve(container.MergedDir, request.User ?? record.User);
        List<string> env = ContainerEnvironment.Compose(record.Env, request.Env, record.Hostname);
        string workingDir = string.IsNullOrEmpty(request.WorkingDir) ? record.WorkingDir : request.WorkingDir;
        if (!Path.IsPathRooted(workingDir)) throw new MiniRunException($"the working directory \"{workingDir}\" is invalid: it needs to be an absolute path");
        // Into the container's cgroup, so its limits count the exec'd process too (as runc exec does).
        ICgroupManager? cgroups = CgroupDetector.Detect();
        string cgroup = CgroupNames.For(container.Id);
        CgroupLimits limits = record.Resources.ToLimits(record.Security.Privileged);
        bool present = cgroups is not null && cgroups.ProcessDirectories(cgroup, limits).All(Directory.Exists);
        var spec = new ExecSpec
        {
            ContainerPid = status.Pid,
            CgroupJoinFiles = present ? [.. cgroups!.SelfJoinFiles(cgroup, limits)] : [],
            CgroupProcessJoinDirectory = present ? cgroups!.EarlyJoinDirectory(cgroup, limits) : null,
            Process = ContainerStageSpecs.Exec(record, container.MergedDir, user, request.Command, env, workingDir, containers.Paths),
        };
        // Signals are forwarded from before the spec is sent: the command may start, and be signalled, at once.
        SignalForwarding? forwarding = null;
        RuntimeBinary? binary = null;
        try
        {
            (_, binary) = ExecLauncher.Start(spec, child => forwarding = new SignalForwarding(child, SandboxLauncher.DefaultStopTimeout));
            return forwarding!.WaitForExit();
        }
        finally
        {
            forwarding?.Dispose();
            binary?.Dispose();
        }
    }
}
