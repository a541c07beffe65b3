using System.Diagnostics;
using MiniRun.Fixtures.Images;
using MiniRun.Fixtures.Tar;

namespace MiniRun.Tests.HostReads;

/// <summary>
/// Issue 14, finding 4 (the CVE-2021-41091 class): an image's layers hold setuid-root binaries; if another host user can
/// reach layers/&lt;id&gt;/diff, they run one as root. The store is private, as Docker's is since that CVE, and a store
/// an older MiniRun made (0755 all the way down) is tightened on first use.
/// </summary>
public class PrivateStoreTests : IDisposable
{
    private readonly TempDirectory _scratch = new("minirun-private-store");
    private MiniRunCli Cli => new(_scratch.Combine("store"));

    public void Dispose() => _scratch.Dispose();

    /// <summary>Loads an image whose one layer is a setuid-root program that prints the first line of /etc/shadow.</summary>
    private string LoadImageWithSetuidShadowReader()
    {
        string program = StaticProgram.Build("""
            #include <stdio.h>
            int main(void) {
                char line[256];
                FILE *f = fopen("/etc/shadow", "r");
                if (!f || !fgets(line, sizeof line, f)) { perror("/etc/shadow"); return 1; }
                printf("READ %s", line);
                return 0;
            }
            """, _scratch.Combine("readshadow"));
        byte[] layer = new TarBuilder().File("readshadow", File.ReadAllBytes(program), mode: "4755").ToArray();
        string archive = _scratch.Combine("setuid.tar");
        new ImageArchiveBuilder().AddLayer(layer).WithName("setuid:latest").Write(ArchiveFormat.DockerSave, archive);
        MiniRunCli.Result load = Cli.Run("load", "-i", archive);
        Assert.True(load.ExitCode == 0, load.ToString());
        string binary = Directory.GetFiles(_scratch.Combine("store", "layers"), "readshadow", SearchOption.AllDirectories).Single();
        Assert.Equal(UnixFileMode.SetUser, File.GetUnixFileMode(binary) & UnixFileMode.SetUser); // the layer kept its setuid bit
        return binary;
    }

    /// <summary>
    /// Runs <paramref name="path"/> as nobody (uid and gid 65534, no groups), as any unprivileged host user would: from a
    /// shell that setpriv started, since setpriv itself still holds root's capabilities for its own execve.
    /// </summary>
    private static (int ExitCode, string Output) RunAsNobody(string path)
    {
        var psi = new ProcessStartInfo("setpriv") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { "--reuid=65534", "--regid=65534", "--clear-groups", "/bin/sh", "-c", "exec \"$0\"", path })
            psi.ArgumentList.Add(arg);
        using Process process = Process.Start(psi)!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }

    [RootFact]
    public void Store_SetuidBinaryInALayer_CannotBeRunByAnotherUser()
    {
        string binary = LoadImageWithSetuidShadowReader();

        (int exitCode, string output) = RunAsNobody(binary);

        Assert.DoesNotContain("READ", output);
        Assert.NotEqual(0, exitCode);
        Assert.Contains("Permission denied", output); // execve: EACCES on the way through the store
    }

    [RootFact]
    public void Store_Directories_AreClosedToOtherUsers()
    {
        LoadImageWithSetuidShadowReader();

        foreach (string dir in new[] { "", "layers", "containers", "l", "images", "tmp", "locks" })
            Assert.True((File.GetUnixFileMode(_scratch.Combine("store", dir)) & (UnixFileMode.OtherExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) == 0,
                $"store/{dir} is {File.GetUnixFileMode(_scratch.Combine("store", dir))}");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute,
            File.GetUnixFileMode(_scratch.Combine("store")));
    }

    [RootFact]
    public void Store_MadeOpenByAnOlderMiniRun_IsTightenedOnFirstUse()
    {
        string binary = LoadImageWithSetuidShadowReader();
        string store = _scratch.Combine("store");
        string[] own = ["", "layers", "containers", "l", "images", "tmp", "locks"];
        const UnixFileMode open = (UnixFileMode)0x1ed; // 0755: what every MiniRun before this one made
        foreach (string dir in own) File.SetUnixFileMode(Path.Combine(store, dir), open);
        File.Delete(Path.Combine(store, "format")); // nor did they record a format (StoreFormat: format 1)
        Assert.Contains("READ", RunAsNobody(binary).Output); // the attack, on the old store

        MiniRunCli.Result images = Cli.Run("images");

        Assert.True(images.ExitCode == 0, images.ToString());
        Assert.Contains("upgraded the store", images.Stderr);
        Assert.Contains("setuid", images.Stdout);
        foreach (string dir in own)
            Assert.True((File.GetUnixFileMode(Path.Combine(store, dir)) & (UnixFileMode)0x7) == 0, $"store/{dir} was not tightened");
        Assert.Equal(open, File.GetUnixFileMode(Path.GetDirectoryName(binary)!)); // only the store's own directories: no walk of the layers
        (int exitCode, string output) = RunAsNobody(binary);
        Assert.NotEqual(0, exitCode);
        Assert.DoesNotContain("READ", output);
    }

    [RootFact]
    public void Store_Private_NonRootUserInsideAContainerStillReadsItsFiles()
    {
        string binary = LoadImageWithSetuidShadowReader();
        // Overlayfs checks access to the lower layers with the credentials of whoever mounted it (root), not the caller's.
        string extra = _scratch.Combine("extra");
        Directory.CreateDirectory(extra);
        File.Copy("/bin/busybox", Path.Combine(extra, "busybox"));

        MiniRunCli.Result run = Cli.Run("run", "--rm", "-u", "1000", "--layer", extra, "setuid:latest", "/busybox", "sh", "-c",
            "/busybox ls -l /readshadow | /busybox cut -c1-10; /busybox id -u");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("-rwsr-xr-x\n1000\n", run.Stdout);
        Assert.True(File.Exists(binary));
    }
}
