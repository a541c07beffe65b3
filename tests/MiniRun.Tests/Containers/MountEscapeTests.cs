namespace MiniRun.Tests.Containers;

/// <summary>
/// Each kind of mount `run` makes (bind, named volume, anonymous volume, tmpfs) asked for below a link that a container
/// planted to a host directory: the link is resolved inside the container's root (as runc does), so the mount lands at
/// that path inside the container, and nothing is mounted, written or read on the host. And a volume seeded from an image that holds such a link copies the link, not the
/// host's files behind it.
/// </summary>
public class MountEscapeTests(RunImageFixture fixture) : IClassFixture<RunImageFixture>
{
    private MiniRunCli Cli => fixture.Cli;

    /// <summary>A host directory with one file in it, the target of the links below.</summary>
    private string HostCanary(string name)
    {
        string dir = fixture.Scratch.Combine("canary-" + name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "secret"), "host only\n");
        return dir;
    }

    private void AssertUntouched(string canary)
    {
        Assert.Equal(["secret"], Directory.GetFileSystemEntries(canary).Select(Path.GetFileName));
        Assert.Equal("host only\n", File.ReadAllText(Path.Combine(canary, "secret")));
        Assert.DoesNotContain(canary, File.ReadAllText("/proc/self/mountinfo"));
    }

    [RootTheory]
    [InlineData("tmpfs")]
    [InlineData("anonymous")]
    [InlineData("named")]
    [InlineData("bind")]
    public void Mount_BelowALinkToTheHostInASharedVolume_LandsInsideTheRoot_AndTheHostIsUntouched(string kind)
    {
        string canary = HostCanary(kind);
        string volume = "vplant-" + kind;
        string bindSource = fixture.Scratch.Combine("bind-source-" + kind);
        Directory.CreateDirectory(bindSource);
        string[] mount = kind switch
        {
            "tmpfs" => ["--tmpfs", "/data/evil/x"],
            "anonymous" => ["-v", "/data/evil/x"],
            "named" => ["-v", "vtarget-" + kind + ":/data/evil/x"],
            _ => ["-v", bindSource + ":/data/evil/x"],
        };
        try
        {
            // The link's text is the host directory's path: followed on the host, the mount would land there.
            Cli.RunOk("run", "--rm", "-v", volume + ":/data", fixture.Image, "ln", "-s", canary, "/data/evil");
            MiniRunCli.Result run = Cli.Run(["run", "--rm", "-v", volume + ":/data", .. mount, fixture.Image, "sh", "-c",
                $"touch /data/evil/x/written && grep -q ' {canary}/x ' /proc/self/mountinfo && echo inside"]);
            Assert.True(run.ExitCode == 0 && run.Stdout.Contains("inside"), run.ToString());
            AssertUntouched(canary);
            // The bind's own source is what the container wrote through, and nothing else on the host.
            Assert.Equal(kind == "bind" ? ["written"] : [], Directory.GetFileSystemEntries(bindSource).Select(Path.GetFileName));
        }
        finally
        {
            Cli.Run("volume", "rm", volume, "vtarget-" + kind);
        }
    }

    [RootFact]
    public void Volume_SeededFromAnImageDirectoryHoldingALinkToTheHost_CopiesTheLinkNotTheHostFiles()
    {
        string canary = HostCanary("seed");
        string layer = fixture.Scratch.Combine("seed-layer");
        Directory.CreateDirectory(Path.Combine(layer, "seed"));
        File.WriteAllText(Path.Combine(layer, "seed", "own"), "image file\n");
        File.CreateSymbolicLink(Path.Combine(layer, "seed", "inner"), canary);
        File.CreateSymbolicLink(Path.Combine(layer, "whole"), canary);
        try
        {
            MiniRunCli.Result run = Cli.RunOk("run", "--rm", "--layer", layer, "-v", "vseed:/seed", fixture.Image, "sh", "-c", "cat /seed/own; readlink /seed/inner; cat /seed/inner/secret 2>&1; true");
            Assert.Contains("image file", run.Stdout);
            Assert.Contains(canary, run.Stdout); // the link, copied as a link: in the container it leads nowhere
            Assert.DoesNotContain("host only", run.Stdout);
            string data = Cli.StoreRoot + "/volumes/vseed/_data";
            Assert.Equal(canary, new FileInfo(Path.Combine(data, "inner")).LinkTarget);
            Assert.Equal(["inner", "own"], Directory.GetFileSystemEntries(data).Select(Path.GetFileName).Order());

            // A volume's target that is itself a link to the host: followed inside the root, nothing copied from behind it.
            Cli.Run("run", "--rm", "--layer", layer, "-v", "vwhole:/whole", fixture.Image, "true");
            Assert.False(File.Exists(Cli.StoreRoot + "/volumes/vwhole/_data/secret"));
            AssertUntouched(canary);
        }
        finally
        {
            Cli.Run("volume", "rm", "vseed", "vwhole");
        }
    }
}
