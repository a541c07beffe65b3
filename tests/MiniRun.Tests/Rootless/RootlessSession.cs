using System.Diagnostics;
using MiniRun.Native;
using MiniRun.Tests.Support;

namespace MiniRun.Tests.Rootless;

/// <summary>
/// minirun run as an ordinary user (runuser), with a HOME and a store of the test's own in a directory the user can
/// reach, and a copy of the binary there (the repository's path may be closed to other users). Dispose removes the
/// user's containers, ends the store's pause process and removes everything, as root. Its network is host unless
/// told (as the rest of the suite's): "" leaves the rootless default, pasta, which needs /dev/net/tun open to the user.
/// </summary>
public sealed class RootlessSession : IDisposable
{
    public string User { get; }
    /// <summary>The session's directory: the binary, the image, the user's HOME below it.</summary>
    public string Directory { get; }
    public string Home => Path.Combine(Directory, "home");
    public string Store => Path.Combine(Home, "data", "minirun");
    private string Binary => Path.Combine(Directory, "minirun");

    /// <summary>$MINIRUN_NETWORK of its commands: the default network of their containers ("": minirun's own default).</summary>
    public string Network { get; }

    public RootlessSession(string user = RootlessUsers.WithRange, string network = "host")
    {
        Network = network;
        RootlessUsers.EnsureCreated();
        User = user;
        Directory = System.IO.Directory.CreateTempSubdirectory("minirun-rootless-").FullName;
        File.SetUnixFileMode(Directory, (UnixFileMode)0x1ed); // 0755
        File.Copy(MiniRunCli.BinaryPath, Binary);
        File.SetUnixFileMode(Binary, (UnixFileMode)0x1ed);
        System.IO.Directory.CreateDirectory(Home);
        (int uid, int gid) = RootlessUsers.Ids(user);
        Syscalls.LChown(Home, uid, gid);
        File.SetUnixFileMode(Home, (UnixFileMode)0x1c0); // 0700
    }

    /// <summary>`minirun args…` as the user, stdin empty, 60 s at most.</summary>
    public MiniRunCli.Result Run(params string[] args) =>
        RunUser(User, [$"HOME={Home}", $"XDG_DATA_HOME={Path.Combine(Home, "data")}"], [Binary, .. args], Directory);

    /// <summary>
    /// <paramref name="argv"/> as <paramref name="user"/> through runuser (its login session: pam_limits) and env -i with
    /// <paramref name="env"/>, PATH and the session's network; stdin empty, 60 s at most.
    /// </summary>
    internal MiniRunCli.Result RunUser(string user, string[] env, string[] argv, string? workingDirectory)
    {
        var psi = new ProcessStartInfo("runuser") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (string arg in (string[])["-u", user, "--", "env", "-i", .. env,
                     "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", $"MINIRUN_NETWORK={Network}", .. argv])
            psi.ArgumentList.Add(arg);
        if (workingDirectory is not null) psi.WorkingDirectory = workingDirectory;
        using var process = Process.Start(psi)!;
        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{string.Join(' ', argv)} as {user} did not finish in 60 s");
        }
        return new MiniRunCli.Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>`minirun args…` as the user, started and left running: setpriv execs it, so the process is minirun itself.</summary>
    public Process Start(params string[] args)
    {
        (int uid, int gid) = RootlessUsers.Ids(User);
        var psi = new ProcessStartInfo("setpriv") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (string arg in (string[])[$"--reuid={uid}", $"--regid={gid}", "--clear-groups", "env", "-i", $"HOME={Home}", $"XDG_DATA_HOME={Path.Combine(Home, "data")}",
                     "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", $"MINIRUN_NETWORK={Network}", Binary, .. args])
            psi.ArgumentList.Add(arg);
        psi.WorkingDirectory = Directory;
        return Process.Start(psi)!;
    }

    public MiniRunCli.Result RunOk(params string[] args)
    {
        MiniRunCli.Result result = Run(args);
        Assert.True(result.ExitCode == 0, $"minirun {string.Join(' ', args)} as {User}: {result}");
        return result;
    }

    /// <summary>The bundled minibox image loaded into the user's store.</summary>
    public void LoadMinibox() => RunOk("load", "-i", CopyMinibox());

    /// <summary>The bundled minibox image as minibox.tar in the session's directory, readable by the user.</summary>
    public string CopyMinibox()
    {
        string tar = Path.Combine(Directory, "minibox.tar");
        string built = Path.Combine(MiniRunCli.RepositoryRoot, "artifacts", "minibox.tar");
        if (File.Exists(built)) File.Copy(built, tar);
        else Parity.ParityImage.BuildMinibox("minibox:latest", tar); // a clone where `make image` has not run
        File.SetUnixFileMode(tar, (UnixFileMode)0x1a4); // 0644
        return tar;
    }

    /// <summary>The store's pause process, or null when none was made.</summary>
    public int? PausePid =>
        File.Exists(Path.Combine(Store, "rootless", "pause.pid")) ? int.Parse(File.ReadAllText(Path.Combine(Store, "rootless", "pause.pid")).Trim()) : null;

    public void Dispose()
    {
        try
        {
            if (System.IO.Directory.Exists(Store))
            {
                string ids = Run("ps", "-aq").Stdout;
                foreach (string id in ids.Split('\n', StringSplitOptions.RemoveEmptyEntries)) Run("rm", "-f", id);
            }
        }
        finally
        {
            if (PausePid is { } pause && Syscalls.Kill(pause, Signal.Kill))
                for (int i = 0; i < 100 && File.Exists($"/proc/{pause}/cmdline") && File.ReadAllText($"/proc/{pause}/cmdline").Length > 0; i++) Thread.Sleep(20);
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}
