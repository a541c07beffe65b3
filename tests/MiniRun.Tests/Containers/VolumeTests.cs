using System.Text.Json;
using MiniRun.Fixtures;
using MiniRun.Fixtures.Images;

namespace MiniRun.Tests.Containers;

/// <summary>
/// docker run's -v, --mount and --tmpfs, and `volume`: host directories bound in (read-only too), named volumes seeded
/// from the image and kept after rm, anonymous volumes that go with their container, tmpfs mounts; each with its way
/// out refused and nothing written or read outside.
/// </summary>
public class VolumeTests(RunImageFixture fixture) : IClassFixture<RunImageFixture>
{
    private MiniRunCli Cli => fixture.Cli;

    private string HostDirectory(string name, params (string File, string Text)[] files)
    {
        string dir = fixture.Scratch.Combine("host-" + name);
        Directory.CreateDirectory(dir);
        foreach ((string file, string text) in files) File.WriteAllText(Path.Combine(dir, file), text);
        return dir;
    }

    [RootFact]
    public void Bind_HostDirectory_IsReadAndWrittenThrough()
    {
        string dir = HostDirectory("rw", ("in", "from the host\n"));
        MiniRunCli.Result run = Cli.RunOk("run", "--rm", "-v", dir + ":/data", fixture.Image, "sh", "-c", "cat /data/in; echo from the container > /data/out");
        Assert.Contains("from the host", run.Stdout);
        Assert.Equal("from the container\n", File.ReadAllText(Path.Combine(dir, "out")));
    }

    [RootFact]
    public void Bind_MissingHostDirectory_IsMadeByDashV_AndRefusedByMount()
    {
        string made = fixture.Scratch.Combine("made-by-v");
        Cli.RunOk("run", "--rm", "-v", made + ":/data", fixture.Image, "true");
        Assert.True(Directory.Exists(made));

        string missing = fixture.Scratch.Combine("missing-for-mount");
        MiniRunCli.Result run = Cli.Run("run", "--rm", "--name", "mount-missing", "--mount", $"type=bind,source={missing},target=/data", fixture.Image, "true");
        Assert.Equal(125, run.ExitCode);
        Assert.Contains("bind source path does not exist", run.Stderr);
        Assert.False(Directory.Exists(missing));
        Assert.NotEqual(0, Cli.Run("inspect", "mount-missing").ExitCode); // no container was made
    }

    [RootFact]
    public void Bind_ReadOnly_WriteFailsWithEROFS()
    {
        string dir = HostDirectory("ro", ("in", "kept\n"));
        MiniRunCli.Result run = Cli.Run("run", "--rm", "-v", dir + ":/data:ro", fixture.Image, "sh", "-c", "echo x > /data/in; echo y > /data/new; cat /data/in");
        Assert.Contains("Read-only file system", run.Stderr);
        Assert.Contains("kept", run.Stdout);
        Assert.Equal("kept\n", File.ReadAllText(Path.Combine(dir, "in")));
        Assert.False(File.Exists(Path.Combine(dir, "new")));
        // --mount's readonly says the same.
        MiniRunCli.Result mount = Cli.Run("run", "--rm", "--mount", $"type=bind,src={dir},dst=/data,readonly", fixture.Image, "touch", "/data/new");
        Assert.Contains("Read-only file system", mount.Stderr);
    }

    [RootFact]
    public void Volume_Named_IsSeededFromTheImage_KeptAfterRm_AndInUseNotRemoved()
    {
        try
        {
            MiniRunCli.Result first = Cli.RunOk("run", "--name", "vol-first", "-v", "vtest:/srv", fixture.Image, "sh", "-c", "cat /srv/marker; echo more > /srv/added");
            Assert.Contains("from-image", first.Stdout); // the image's /srv, copied into the new volume
            Cli.RunOk("rm", "vol-first");
            Assert.Contains("vtest", Cli.RunOk("volume", "ls").Stdout);

            Assert.Equal("more\nfrom-image\n", Cli.RunOk("run", "--rm", "-v", "vtest:/srv", fixture.Image, "sh", "-c", "cat /srv/added /srv/marker").Stdout);

            Cli.RunOk("run", "-d", "--name", "vol-busy", "-v", "vtest:/x", fixture.Image, "sleep", "300");
            MiniRunCli.Result busy = Cli.Run("volume", "rm", "vtest");
            Assert.Equal(1, busy.ExitCode);
            Assert.Contains("volume is in use", busy.Stderr);

            JsonElement volume = JsonDocument.Parse(Cli.RunOk("volume", "inspect", "vtest").Stdout).RootElement[0];
            Assert.Equal("local", volume.GetProperty("Driver").GetString());
            Assert.EndsWith("/volumes/vtest/_data", volume.GetProperty("Mountpoint").GetString());
        }
        finally
        {
            Cli.Run("rm", "-f", "vol-first", "vol-busy");
            Cli.Run("volume", "rm", "vtest");
        }
        Assert.DoesNotContain("vtest", Cli.RunOk("volume", "ls", "-q").Stdout);
    }

    [RootFact]
    public void Volume_Anonymous_GoesWithRmV_AndWithRunRm()
    {
        string before = Cli.RunOk("volume", "ls", "-q").Stdout;
        Cli.RunOk("run", "--name", "anon", "-v", "/data", fixture.Image, "sh", "-c", "echo x > /data/f");
        JsonElement mount = JsonDocument.Parse(Cli.RunOk("inspect", "anon").Stdout).RootElement[0].GetProperty("Mounts")[0];
        string name = mount.GetProperty("Name").GetString()!;
        Assert.Matches("^[0-9a-f]{64}$", name);
        Assert.Equal("/data", mount.GetProperty("Destination").GetString());
        Assert.Contains(name, Cli.RunOk("volume", "ls", "-q").Stdout);

        Cli.RunOk("rm", "-v", "anon");
        Assert.DoesNotContain(name, Cli.RunOk("volume", "ls", "-q").Stdout);

        Cli.RunOk("run", "--rm", "-v", "/data", fixture.Image, "true");
        Assert.Equal(before, Cli.RunOk("volume", "ls", "-q").Stdout);
    }

    /// <summary>The fixture's image with VOLUME /srv (where it has /srv/marker) and VOLUME /cache, loaded once as NAME.</summary>
    private string ImageWithVolumes()
    {
        const string name = "runtest-volumes:latest";
        if (Cli.Run("inspect", "--type", "image", name).ExitCode == 0) return name;
        var builder = new ImageArchiveBuilder()
            .AddLayer(BusyboxRootfs.LayerTarBytes())
            .AddLayer(LayerTar.Files(("srv/marker", "from-image\n")))
            .WithName(name);
        builder.Volumes.AddRange(["/srv", "/cache/"]);
        string archive = fixture.Scratch.Combine("runtest-volumes.tar");
        builder.Write(ArchiveFormat.DockerSave, archive);
        Cli.RunOk("load", "-i", archive);
        return name;
    }

    private List<string> VolumeNames() => [.. Cli.RunOk("volume", "ls", "-q").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)];

    /// <summary>The volume mounted at <paramref name="destination"/> of a container, as `inspect` shows it.</summary>
    private JsonElement MountAt(string container, string destination) =>
        JsonDocument.Parse(Cli.RunOk("inspect", container).Stdout).RootElement[0].GetProperty("Mounts").EnumerateArray()
            .Single(m => m.GetProperty("Destination").GetString() == destination);

    [RootFact]
    public void ImageVolume_GetsAnAnonymousVolumeSeededFromTheImage_KeptByRm_GoneWithRmVAndRunRm()
    {
        string image = ImageWithVolumes();
        List<string> before = VolumeNames();
        try
        {
            MiniRunCli.Result run = Cli.RunOk("run", "--name", "image-vol-kept", image, "sh", "-c", "cat /srv/marker; echo more > /srv/added; grep -c ' /cache ' /proc/mounts");
            Assert.Equal("from-image\n1\n", run.Stdout); // seeded from the image, as Docker copies it into a new volume
            JsonElement srv = MountAt("image-vol-kept", "/srv");
            Assert.Equal("volume", srv.GetProperty("Type").GetString());
            string kept = srv.GetProperty("Name").GetString()!;
            Assert.Matches("^[0-9a-f]{64}$", kept);
            Assert.EndsWith($"/volumes/{kept}/_data", srv.GetProperty("Source").GetString());
            Assert.Equal("volume", MountAt("image-vol-kept", "/cache").GetProperty("Type").GetString()); // "/cache/" cleaned
            Assert.Equal("more\nfrom-image\n", File.ReadAllText(Path.Combine(srv.GetProperty("Source").GetString()!, "added")) +
                                               File.ReadAllText(Path.Combine(srv.GetProperty("Source").GetString()!, "marker")));

            Cli.RunOk("run", "--name", "image-vol-gone", image, "true");
            string gone = MountAt("image-vol-gone", "/srv").GetProperty("Name").GetString()!;
            Assert.Equal(before.Count + 4, VolumeNames().Count);

            Cli.RunOk("rm", "image-vol-kept"); // docker rm keeps anonymous volumes
            Assert.Contains(kept, VolumeNames());
            Cli.RunOk("rm", "-v", "image-vol-gone"); // rm -v takes them
            Assert.DoesNotContain(gone, VolumeNames());
            Assert.Equal(before.Count + 2, VolumeNames().Count);

            Cli.RunOk("run", "--rm", image, "true"); // and so does run --rm
            Assert.Equal(before.Count + 2, VolumeNames().Count);
        }
        finally
        {
            Cli.Run("rm", "-f", "image-vol-kept", "image-vol-gone");
            foreach (string volume in VolumeNames().Except(before)) Cli.Run("volume", "rm", volume);
        }
        Assert.Equal(before, VolumeNames());
    }

    [RootFact]
    public void ImageVolume_WithSomethingMountedAtItsPath_GetsNoVolume()
    {
        string image = ImageWithVolumes();
        string dir = HostDirectory("over-image-volume", ("marker", "from-the-host\n"));
        List<string> before = VolumeNames();
        try
        {
            Assert.Equal("from-the-host\n", Cli.RunOk("run", "--name", "image-vol-bound", "-v", dir + ":/srv", "--tmpfs", "/cache", image, "cat", "/srv/marker").Stdout);
            Assert.Equal("bind", MountAt("image-vol-bound", "/srv").GetProperty("Type").GetString());
            Assert.Equal("tmpfs", MountAt("image-vol-bound", "/cache").GetProperty("Type").GetString());
            Assert.Equal(before, VolumeNames());

            Assert.Equal("from-image\n", Cli.RunOk("run", "--name", "image-vol-named", "-v", "image-vol-named:/srv", image, "cat", "/srv/marker").Stdout);
            Assert.Equal("image-vol-named", MountAt("image-vol-named", "/srv").GetProperty("Name").GetString());
        }
        finally
        {
            Cli.Run("rm", "-f", "-v", "image-vol-bound", "image-vol-named");
            Cli.Run("volume", "rm", "image-vol-named");
        }
        Assert.Equal(before, VolumeNames());
    }

    [RootFact]
    public void Tmpfs_IsMountedWithItsSize_AndIsFull_Beyond()
    {
        MiniRunCli.Result run = Cli.Run("run", "--rm", "--tmpfs", "/scratch:size=1m", fixture.Image, "sh", "-c",
            "grep ' /scratch ' /proc/mounts; dd if=/dev/zero of=/scratch/big bs=1k count=2048 2>&1; echo rc=$?");
        Assert.Matches(@"tmpfs /scratch tmpfs rw,nosuid,nodev,noexec,relatime,size=1024k", run.Stdout);
        Assert.Contains("No space left on device", run.Stdout);
        Assert.DoesNotContain("rc=0", run.Stdout);
    }

    [RootFact]
    public void Bind_IntoASymlinkAVolumeHolds_LandsInsideTheRoot_NothingWrittenOutside()
    {
        // A first container plants a link to the host's /etc (as the container sees it: its own /etc) in a shared volume;
        // the second asks for a bind mount below that link. Followed on the host, the mount would land in the host's /etc;
        // resolved inside the root, as runc does, it lands in the container's own /etc.
        string dir = HostDirectory("escape", ("payload", "x\n"));
        try
        {
            Cli.RunOk("run", "--rm", "-v", "vesc:/data", fixture.Image, "ln", "-s", "/etc", "/data/evil");
            MiniRunCli.Result run = Cli.RunOk("run", "--rm", "-v", "vesc:/data", "-v", dir + ":/data/evil/minirun-escape", fixture.Image,
                "cat", "/etc/minirun-escape/payload");
            Assert.Equal("x\n", run.Stdout);
            Assert.False(Directory.Exists("/etc/minirun-escape"));
            Assert.DoesNotContain("/etc/minirun-escape", File.ReadAllText("/proc/self/mountinfo"));
        }
        finally
        {
            Cli.Run("volume", "rm", "vesc");
        }
    }

    [RootFact]
    public void Rm_WithAMountLeftUnderTheContainer_LeavesTheHostFiles_AndSaysSo()
    {
        string dir = HostDirectory("left-mounted", ("keep", "host file\n"));
        Cli.RunOk("run", "--name", "left", fixture.Image, "true");
        string id = JsonDocument.Parse(Cli.RunOk("inspect", "left").Stdout).RootElement[0].GetProperty("Id").GetString()!;
        string mountPoint = Path.Combine(Cli.StoreRoot, "containers", id, "diff", "mnt");
        Directory.CreateDirectory(mountPoint);
        // As an unmount that failed would leave it.
        ExternalCommand.Result mount = ExternalCommand.Run("mount", ["--bind", dir, mountPoint]);
        Assert.True(mount.ExitCode == 0, mount.ToString());
        try
        {
            MiniRunCli.Result rm = Cli.Run("rm", "-f", "left");
            Assert.Equal(1, rm.ExitCode);
            Assert.Contains("is a mount point", rm.Stderr);
            Assert.Equal("host file\n", File.ReadAllText(Path.Combine(dir, "keep")));

            Cli.Run("system", "prune", "-f");
            Assert.Equal("host file\n", File.ReadAllText(Path.Combine(dir, "keep")));
            Assert.DoesNotContain(dir, File.ReadAllText("/proc/self/mountinfo")); // prune took the leftover mount down, not its files
        }
        finally
        {
            foreach (string line in File.ReadAllLines("/proc/self/mountinfo"))
                if (line.Split(' ')[4] is { } target && target.Contains(id)) ExternalCommand.Run("umount", ["-l", target]);
        }
    }
}
