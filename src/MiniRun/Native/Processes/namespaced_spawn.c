// MiniRun's one piece of C: a spawn that can put its child in a new user namespace (or an existing one).
//
// Why C: unshare(2) and setns(2) refuse CLONE_NEWUSER in a process with more than one thread, and a .NET process always
// has several. posix_spawn(3) cannot pass namespace flags. So the child is made here with clone3(2), which creates the
// user namespace first and every other namespace of the same call owned by it (as runc's nsexec and crun do), and it
// runs only raw system calls until execve(2): it is a copy of a multi-threaded process, where only those are safe
// (glibc's setresuid would signal threads that do not exist in the child). Managed code never forks.
//
// The child waits on go_fd before anything else: its parent writes /proc/PID/uid_map and gid_map meanwhile (only a
// process outside the namespace, with CAP_SETUID there, may write a map of more than its own ID). It then becomes root
// of the namespace (so that execve keeps its capabilities in it), moves its descriptors into place, resets its signals,
// and execs. Any failure before the exec is written to error_fd (close-on-exec) as an errno; end of file means it ran.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CLONE_NEWUSER
#define CLONE_NEWUSER 0x10000000
#endif

struct minirun_spawn
{
    const char* path;          // execve'd (may be /proc/self/fd/N: N must be above fd_count)
    char* const* argv;
    char* const* envp;
    const int* fds;            // the child's fd i becomes a copy of fds[i] (i < fd_count); -1 leaves fd i as it is
    int fd_count;
    int user_namespace_fd;     // >= 0: setns(2) into this user namespace first (a process joining a container)
    int mount_namespace_fd;    // >= 0: then setns(2) into this mount namespace (a rootless minirun joining its pause)
    uint64_t clone_flags;      // CLONE_NEWUSER, CLONE_NEWPID, ...
    int go_fd;                 // >= 0: one byte is read from it before the child goes on (the maps are written)
    int error_fd;              // the child writes its errno here when it fails before execve
    const int* join_fds;       // setns(2) into each of these namespaces after the go (a rootless exec joining a container)
    int join_count;
    int pid_namespace_fd;      // >= 0: the child's children are born in this PID namespace: it clones once more
                               // (CLONE_PARENT: the grandchild is the caller's child), writes that PID to
    int pid_report_fd;         // this descriptor and exits; the grandchild goes on (runc's nsexec does the same)
};

// The kernel's struct sigaction for rt_sigaction(2), not glibc's.
struct kernel_sigaction
{
    void* handler;
    unsigned long flags;
    void* restorer;
    uint64_t mask;
};

static void __attribute__((noreturn)) child_fail(const struct minirun_spawn* s, int error)
{
    syscall(SYS_write, s->error_fd, &error, sizeof error);
    syscall(SYS_exit_group, 127);
    __builtin_unreachable();
}

static void __attribute__((noreturn)) child(const struct minirun_spawn* s)
{
    if (s->user_namespace_fd >= 0 && syscall(SYS_setns, s->user_namespace_fd, CLONE_NEWUSER) != 0) child_fail(s, errno);
    if (s->mount_namespace_fd >= 0)
    {
        // setns(2) of a mount namespace moves the root and the working directory to the namespace's root: the
        // caller's directory is taken back by its path (the pause's namespace is a copy of the caller's, so relative
        // paths mean what the user meant), else by a descriptor opened before, as nsenter --wd does.
        char cwd[4096];
        long known = syscall(SYS_getcwd, cwd, sizeof cwd);
        int here = (int)syscall(SYS_openat, AT_FDCWD, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        // Only a single-threaded process may change its mount namespace (setns(2): it must not share its fs_struct).
        if (syscall(SYS_setns, s->mount_namespace_fd, CLONE_NEWNS) != 0) child_fail(s, errno);
        if ((known <= 0 || syscall(SYS_chdir, cwd) != 0) && here >= 0) syscall(SYS_fchdir, here);
        if (here >= 0) syscall(SYS_close, here);
    }
    if (s->go_fd >= 0)
    {
        char go;
        long n;
        do n = syscall(SYS_read, s->go_fd, &go, 1); while (n < 0 && errno == EINTR);
        if (n != 1) child_fail(s, n < 0 ? errno : ECANCELED); // the parent gave up
    }
    if ((s->clone_flags & CLONE_NEWUSER) || s->user_namespace_fd >= 0)
    {
        // Root of the namespace, mapped by now: execve keeps the capabilities only for its root (capabilities(7)).
        if (syscall(SYS_setresgid, 0, 0, 0) != 0) child_fail(s, errno);
        if (syscall(SYS_setresuid, 0, 0, 0) != 0) child_fail(s, errno);
        syscall(SYS_setgroups, 0, NULL); // the host's groups are not mapped; refused where setgroups is "deny"
    }
    for (int i = 0; i < s->join_count; i++)
        if (syscall(SYS_setns, s->join_fds[i], 0) != 0) child_fail(s, errno);
    if (s->pid_namespace_fd >= 0)
    {
        // setns(2) of a PID namespace moves only the children: one more clone, which the caller reaps as its own.
        if (syscall(SYS_setns, s->pid_namespace_fd, CLONE_NEWPID) != 0) child_fail(s, errno);
        struct clone_args args;
        memset(&args, 0, sizeof args);
        args.flags = CLONE_PARENT;
        long pid = syscall(SYS_clone3, &args, sizeof args);
        if (pid < 0) child_fail(s, errno);
        if (pid > 0)
        {
            int reported = (int)pid;
            syscall(SYS_write, s->pid_report_fd, &reported, sizeof reported);
            syscall(SYS_exit_group, 0);
        }
    }
    // Each source is copied above the range first, so that no dup2 replaces a source a later one still needs.
    int moved[64];
    if (s->fd_count > 64) child_fail(s, EINVAL);
    for (int i = 0; i < s->fd_count; i++)
    {
        moved[i] = -1;
        if (s->fds[i] < 0) continue;
        moved[i] = (int)syscall(SYS_fcntl, s->fds[i], F_DUPFD_CLOEXEC, s->fd_count);
        if (moved[i] < 0) child_fail(s, errno);
    }
    for (int i = 0; i < s->fd_count; i++)
        if (moved[i] >= 0 && syscall(SYS_dup3, moved[i], i, 0) < 0) child_fail(s, errno); // the copy at i is inherited
    // Handlers are the parent's: each signal back to its default (execve keeps ignored ones ignored), none blocked.
    struct kernel_sigaction action = { .handler = SIG_DFL };
    for (int signal = 1; signal < 65; signal++)
        if (signal != SIGKILL && signal != SIGSTOP) syscall(SYS_rt_sigaction, signal, &action, NULL, 8);
    uint64_t none = 0;
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, 8);
    syscall(SYS_execve, s->path, s->argv, s->envp);
    child_fail(s, errno);
}

// Returns the child's PID, or -errno. The calling thread's signals are blocked around the clone, so that no signal
// runs the parent's handlers in the child before it has reset them.
int minirun_namespaced_spawn(const struct minirun_spawn* s)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    struct clone_args args;
    memset(&args, 0, sizeof args);
    args.flags = s->clone_flags;
    args.exit_signal = SIGCHLD;
    long pid = syscall(SYS_clone3, &args, sizeof args); // no stack: the child runs on a copy of this one, as after fork
    if (pid == 0) child(s);
    int error = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return pid < 0 ? -error : (int)pid;
}
