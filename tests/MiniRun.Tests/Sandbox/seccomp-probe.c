/* The attacker's probe for SeccompTests: built with gcc -static by the test, run inside a container (or on the host).
 *   probe [KEY_ID]        one line per attempt, "name=ok", "name=<ERRNO>" or "name=<value>"; with KEY_ID, keyctl read of it
 *   probe addkey DESC PAYLOAD   (host side) add a "user" key to @u, print its ID
 *   probe unlink KEY_ID         (host side) revoke the key and unlink it from @u
 * Each attempt is a raw syscall, so the answer is the kernel's (or the seccomp filter's), not a library's. */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/io_uring.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *errno_name(int e)
{
    switch (e) {
    case EPERM: return "EPERM";
    case ENOSYS: return "ENOSYS";
    case EACCES: return "EACCES";
    case EINVAL: return "EINVAL";
    case ENOKEY: return "ENOKEY";
    case EKEYREVOKED: return "EKEYREVOKED";
    case ENOENT: return "ENOENT";
    case EEXIST: return "EEXIST";
    case EFAULT: return "EFAULT";
    case ENOMEM: return "ENOMEM";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    default: { static char text[32]; snprintf(text, sizeof text, "errno%d", e); return text; }
    }
}

static void report(const char *name, long result)
{
    if (result < 0) printf("%s=%s\n", name, errno_name(errno));
    else printf("%s=ok\n", name);
}

static void seccomp_mode(void)
{
    char line[256];
    FILE *status = fopen("/proc/self/status", "r");
    while (status && fgets(line, sizeof line, status))
        if (strncmp(line, "Seccomp:", 8) == 0) {
            printf("seccomp=%ld\n", strtol(line + 8, NULL, 10));
            break;
        }
    if (status) fclose(status);
}

/* In a child: a new user namespace would change this process's credentials for the attempts that follow. */
static void unshare_user(void)
{
    pid_t child = fork();
    if (child == 0) _exit(unshare(CLONE_NEWUSER) == 0 ? 0 : errno);
    int status = 0;
    waitpid(child, &status, 0);
    int e = WIFEXITED(status) ? WEXITSTATUS(status) : 255;
    if (e == 0) printf("unshare_user=ok\n");
    else printf("unshare_user=%s\n", errno_name(e));
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "addkey") == 0) {
        long id = syscall(SYS_add_key, "user", argv[2], argv[3], strlen(argv[3]), KEY_SPEC_USER_KEYRING);
        if (id < 0) { perror("add_key"); return 1; }
        printf("%ld\n", id);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "unlink") == 0) {
        long id = strtol(argv[2], NULL, 10);
        syscall(SYS_keyctl, KEYCTL_REVOKE, id);
        return syscall(SYS_keyctl, KEYCTL_UNLINK, id, KEY_SPEC_USER_KEYRING) == 0 ? 0 : 1;
    }

    seccomp_mode();
    long session = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
    if (session < 0) printf("session_keyring=%s\n", errno_name(errno));
    else printf("session_keyring=%ld\n", session);
    if (argc == 2) {
        char payload[256] = {0};
        long key = strtol(argv[1], NULL, 10);
        long n = syscall(SYS_keyctl, KEYCTL_READ, key, payload, sizeof payload - 1);
        /* Not possessed through a session keyring of its own: @u itself is (a special ID), so link it into ours. */
        if (n < 0 && errno == EACCES && syscall(SYS_keyctl, KEYCTL_LINK, KEY_SPEC_USER_KEYRING, KEY_SPEC_SESSION_KEYRING) == 0)
            n = syscall(SYS_keyctl, KEYCTL_READ, key, payload, sizeof payload - 1);
        if (n < 0) printf("keyread=%s\n", errno_name(errno));
        else printf("keyread=ok:%s\n", payload);
    }
    report("add_key", syscall(SYS_add_key, "user", "minirun-probe", "x", 1, KEY_SPEC_SESSION_KEYRING));
    unshare_user();

    struct perf_event_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.type = PERF_TYPE_SOFTWARE;
    attr.size = sizeof attr;
    attr.config = PERF_COUNT_SW_TASK_CLOCK;
    attr.disabled = 1;
    attr.exclude_kernel = 1;
    attr.exclude_hv = 1;
    report("perf_event_open", syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0));

    struct io_uring_params params;
    memset(&params, 0, sizeof params);
    report("io_uring_setup", syscall(SYS_io_uring_setup, 1, &params));

    /* READ_IMPLIES_EXEC: every readable mapping executable. Docker allows only the personalities it lists. */
    long previous = syscall(SYS_personality, 0x0400000);
    report("personality_read_implies_exec", previous);
    if (previous >= 0) syscall(SYS_personality, previous);

    /* No arguments: the kernel itself answers EINVAL; a filter that refuses clone3 answers first. */
    report("clone3", syscall(SYS_clone3, NULL, 0));
    report("mkdir", syscall(SYS_mkdir, "/tmp/minirun-probe-dir", 0755));
    return 0;
}
