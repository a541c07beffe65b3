using System.Text.Json.Nodes;

namespace MiniRun.Tests.Runtime;

/// <summary>
/// The fields of config.json the OCI runtime-tools suite checks from inside the container, each on a bundle made
/// here and run through create/start as an engine does.
/// </summary>
public sealed class BundleConfigTests
{
    [RootFact]
    public void OldSeccompProfile_WithoutCloseRange_StillRunsTheProcess()
    {
        // As runtime-tools' default config: errno by default, syscalls up to landlock named, close_range and clone3 not.
        using var bundle = new RuntimeBundle("echo ran under the filter", json =>
        {
            JsonArray names = ["read", "write", "close", "exit", "exit_group", "execve", "brk", "mmap", "munmap", "mprotect", "arch_prctl",
                "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "prctl", "capset", "capget", "setgroups", "setresuid", "setresgid",
                "getpid", "getppid", "getuid", "geteuid", "getgid", "getegid", "ioctl", "fcntl", "open", "openat", "stat", "fstat",
                "newfstatat", "lstat", "access", "poll", "ppoll", "set_tid_address", "set_robust_list", "rseq", "prlimit64", "getcwd",
                "wait4", "dup2", "pipe", "uname", "statx", "landlock_restrict_self", "futex", "getrandom", "readlink"];
            json["linux"]!["seccomp"] = new JsonObject
            {
                ["defaultAction"] = "SCMP_ACT_ERRNO",
                ["architectures"] = new JsonArray("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"),
                ["syscalls"] = new JsonArray(new JsonObject { ["names"] = names, ["action"] = "SCMP_ACT_ALLOW" }),
            };
        });

        Assert.Contains("ran under the filter", bundle.RunToCompletion("oldfilter"));
    }
}
