using System.Text.RegularExpressions;

namespace MiniRun.Tests.Containers;

/// <summary>
/// Issue 18: Docker's management commands (`image ls`, `container rm`, ...), the prunes with Docker's question, and
/// `system df -v`, `info` and `version` in Docker's shapes.
/// </summary>
public class ManagementVerbTests(RunImageFixture fixture) : IClassFixture<RunImageFixture>
{
    private MiniRunCli Cli => fixture.Cli;

    [RootFact]
    public void ImageAndContainer_Subcommands_AreTheTopLevelVerbs()
    {
        try
        {
            Assert.Equal(Cli.RunOk("images").Stdout, Cli.RunOk("image", "ls").Stdout);
            Cli.RunOk("container", "create", "--name", "mgmt-made", fixture.Image, "true");
            Assert.Contains("mgmt-made", Cli.RunOk("container", "ls", "-a").Stdout);
            Assert.Equal(Cli.RunOk("ps", "-a").Stdout, Cli.RunOk("container", "ps", "-a").Stdout);
            Assert.Contains("\"Name\": \"/mgmt-made\"", Cli.RunOk("container", "inspect", "mgmt-made").Stdout);
            Assert.Contains("\"RepoTags\"", Cli.RunOk("image", "inspect", fixture.Image).Stdout);
            // inspect's --type from the group: a container is no image.
            Assert.Equal((1, "minirun: No such image: mgmt-made\n"), (Cli.Run("image", "inspect", "mgmt-made").ExitCode, Cli.Run("image", "inspect", "mgmt-made").Stderr));
            Assert.Equal("mgmt-made\n", Cli.RunOk("container", "rm", "mgmt-made").Stdout);

            MiniRunCli.Result unknown = Cli.Run("image", "bogus");
            Assert.Equal((1, "minirun: 'bogus' is not a 'minirun image' command (see 'minirun image --help')\n"), (unknown.ExitCode, unknown.Stderr));
        }
        finally
        {
            Cli.Run("rm", "-f", "mgmt-made");
        }
    }

    [RootFact]
    public void ImageHelp_ListsItsSubcommands_AsDockerImage()
    {
        foreach (string[] args in new[] { new[] { "image" }, ["image", "--help"] })
        {
            string help = Cli.RunOk(args).Stdout;
            Assert.StartsWith("Usage:  minirun image COMMAND\n\nManage images\n\nCommands:\n", help);
            foreach (string sub in new[] { "history", "import", "inspect", "load", "ls", "prune", "pull", "rm", "save", "tag" })
                Assert.Matches($"\n  {sub} +\\S", help);
        }
        string containers = Cli.RunOk("container", "--help").Stdout;
        foreach (string sub in new[] { "attach", "commit", "cp", "create", "diff", "exec", "export", "inspect", "kill", "logs", "ls", "pause",
                     "port", "prune", "rename", "rm", "run", "start", "stats", "stop", "top", "unpause", "wait" })
            Assert.Matches($"\n  {sub} +\\S", containers);
    }

    [RootFact]
    public void ContainerPrune_AnsweredNThenY_AsksAndOnlyYesRemoves()
    {
        try
        {
            string id = Cli.RunOk("create", "--name", "prune-me", fixture.Image, "true").Stdout.Trim();
            const string Question = "WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] ";

            foreach (string? answer in new[] { "N\n", "\n", null, "no\n" })
            {
                MiniRunCli.Result no = Cli.RunWithInput(answer, "container", "prune");
                Assert.Equal((0, Question, ""), (no.ExitCode, no.Stdout, no.Stderr));
                Assert.Contains("prune-me", Cli.RunOk("ps", "-a").Stdout);
            }
            MiniRunCli.Result yes = Cli.RunWithInput("y\n", "container", "prune");
            Assert.Equal(0, yes.ExitCode);
            Assert.Equal($"{Question}Deleted Containers:\n{id}\n\nTotal reclaimed space: 0B\n", yes.Stdout);
            Assert.DoesNotContain("prune-me", Cli.RunOk("ps", "-a").Stdout);
        }
        finally
        {
            Cli.Run("rm", "-f", "prune-me");
        }
    }

    [RootFact]
    public void SystemPrune_AskedUnlessForced_AllAlsoRemovesUnusedImages_VolumesAnonymousOnes()
    {
        string extra = "prune-extra:1";
        try
        {
            Cli.RunOk("tag", fixture.Image, extra); // a second name: -a takes it off, the image stays (the fixture's name is used below)
            Cli.RunOk("create", "--name", "prune-sys", fixture.Image, "true");
            Cli.RunOk("volume", "create", "prune-named");
            string anonymous = Cli.RunOk("volume", "create").Stdout.Trim();
            Cli.RunOk("volume", "rm", anonymous);
            Cli.RunOk("run", "--name", "prune-vol", "-v", "/data", fixture.Image, "true");
            string volume = Cli.RunOk("inspect", "-f", "{{range .Mounts}}{{.Name}}{{end}}", "prune-vol").Stdout.Trim();

            MiniRunCli.Result no = Cli.RunWithInput("N\n", "system", "prune", "-a", "--volumes");
            Assert.Equal(0, no.ExitCode);
            Assert.Equal("WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least one container\n  - all anonymous volumes not used by at least one container\n" +
                "  - all images without at least one container associated to them\n  - all layers no image uses, and what a crash left behind (mounts, tmp/ work)\n\n" +
                "Are you sure you want to continue? [y/N] ", no.Stdout);
            Assert.Contains("prune-sys", Cli.RunOk("ps", "-a").Stdout);

            // echo y | minirun system prune …: the answer from a pipe.
            MiniRunCli.Result yes = Cli.RunWithInput("y\n", "system", "prune", "-a", "--volumes");
            Assert.True(yes.ExitCode == 0, yes.ToString());
            Assert.Contains("Deleted Containers:\n", yes.Stdout);
            Assert.Contains($"Deleted Volumes:\n{volume}\n", yes.Stdout);
            Assert.Matches(@"\nTotal reclaimed space: [0-9.]+k?M?B\n$", yes.Stdout);
            Assert.Equal("", Cli.RunOk("ps", "-aq").Stdout);
            Assert.Equal("", Cli.RunOk("images", "-q").Stdout); // -a: no container uses it any more
            Assert.Contains("prune-named", Cli.RunOk("volume", "ls", "-q").Stdout); // named volumes stay
            Assert.DoesNotContain(volume, Cli.RunOk("volume", "ls", "-q").Stdout);
        }
        finally
        {
            Cli.Run("rm", "-f", "prune-sys", "prune-vol");
            Cli.Run("volume", "rm", "-f", "prune-named");
            ReloadFixtureImage();
        }
    }

    [RootFact]
    public void ImagePrune_DanglingOnlyUnlessAll_ForcedWithoutAQuestion()
    {
        try
        {
            Cli.RunOk("run", "--name", "prune-img", fixture.Image, "sh", "-c", "echo x > /made");
            string dangling = Cli.RunOk("commit", "prune-img").Stdout.Trim(); // no name: dangling
            Cli.RunOk("rm", "prune-img");
            MiniRunCli.Result pruned = Cli.Run("image", "prune", "-f");
            Assert.True(pruned.ExitCode == 0, pruned.ToString());
            Assert.StartsWith($"Deleted Images:\ndeleted: {dangling}\n", pruned.Stdout);
            Assert.Contains(fixture.Image.Split(':')[0], Cli.RunOk("images").Stdout); // named: stays without -a

            MiniRunCli.Result all = Cli.RunWithInput("y\n", "image", "prune", "-a");
            Assert.StartsWith("WARNING! This will remove all images without at least one container associated to them.\nAre you sure you want to continue? [y/N] Deleted Images:\nuntagged: ", all.Stdout);
            Assert.Equal("", Cli.RunOk("images", "-q").Stdout);
        }
        finally
        {
            Cli.Run("rm", "-f", "prune-img");
            ReloadFixtureImage();
        }
    }

    [RootFact]
    public void SystemDfVerbose_HasDockersThreeSectionsAndColumns()
    {
        try
        {
            Cli.RunOk("run", "--name", "df-vol", "-v", "df-data:/data", fixture.Image, "sh", "-c", "echo hello > /data/f; echo x > /written");
            string df = Cli.RunOk("system", "df", "-v").Stdout;
            Assert.Matches(new Regex(@"^Images space usage:\n\nREPOSITORY +TAG +IMAGE ID +CREATED +SIZE +SHARED SIZE +UNIQUE SIZE +CONTAINERS\nruntest +latest .* 1\n"), df);
            Assert.Matches(@"\n\nContainers space usage:\n\nCONTAINER ID +IMAGE +COMMAND +LOCAL VOLUMES +SIZE +CREATED +STATUS +NAMES\n[0-9a-f]{12} +runtest:latest +""sh -c 'echo hello [^""]*…"" +1 +\d+B .*df-vol\n", df);
            Assert.Matches(@"\n\nLocal Volumes space usage:\n\nVOLUME NAME +LINKS +SIZE\ndf-data +1 +6B\n$", df);
        }
        finally
        {
            Cli.Run("rm", "-f", "df-vol");
            Cli.Run("volume", "rm", "-f", "df-data");
        }
    }

    [RootFact]
    public void Info_DockersSections_AndFormat()
    {
        string info = Cli.RunOk("info").Stdout;
        foreach (string line in new[] { "\nServer:\n Containers: ", "\n  Running: ", "\n  Paused: ", "\n  Stopped: ", "\n Images: 1\n",
                     "\n Storage Driver: overlay2\n  Backing Filesystem: ", "\n Cgroup Driver: cgroupfs\n Cgroup Version: ", "\n Security Options:",
                     "\n Kernel Version: " + File.ReadAllText("/proc/sys/kernel/osrelease").Trim() + "\n", "\n Operating System: ",
                     "\n Architecture: ", $"\n CPUs: {Environment.ProcessorCount}\n", "\n Total Memory: ", $"\n Root Dir: {Cli.StoreRoot}\n" })
            Assert.Contains(line, info);
        Assert.Equal("overlay2 1 cgroupfs\n", Cli.RunOk("info", "--format", "{{.Driver}} {{.Images}} {{.CgroupDriver}}").Stdout);
        Assert.Equal(Cli.RunOk("info", "--format", "{{json .}}").Stdout, Cli.RunOk("system", "info", "--format", "{{json .}}").Stdout);
    }

    [RootFact]
    public void Version_ClientSection_FormatAndTheFlagStay()
    {
        string version = Cli.RunOk("--version").Stdout.Trim()["minirun version ".Length..];
        Assert.Equal(version + "\n", Cli.RunOk("version", "--format", "{{.Client.Version}}").Stdout);
        Assert.StartsWith($"Client:\n Version:           {version}\n", Cli.RunOk("version").Stdout);
    }

    /// <summary>Puts the fixture's image back after a test that pruned it.</summary>
    private void ReloadFixtureImage()
    {
        Cli.Run("rmi", "prune-extra:1");
        if (Cli.Run("inspect", "--type", "image", fixture.Image).ExitCode != 0) Cli.RunOk("load", "-i", fixture.Scratch.Combine("runtest.tar"));
    }
}
