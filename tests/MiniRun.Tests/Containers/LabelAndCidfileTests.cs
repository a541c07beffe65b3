using System.Text.Json;
using MiniRun.Fixtures;
using MiniRun.Fixtures.Images;

namespace MiniRun.Tests.Containers;

/// <summary>docker run's -l/--label, --label-file and --cidfile: what inspect shows, what the file holds, what is refused.</summary>
public class LabelAndCidfileTests(RunImageFixture fixture) : IClassFixture<RunImageFixture>
{
    private MiniRunCli Cli => fixture.Cli;

    private Dictionary<string, string> Labels(string container)
    {
        using JsonDocument inspect = JsonDocument.Parse(Cli.RunOk("inspect", container).Stdout);
        return inspect.RootElement[0].GetProperty("Config").GetProperty("Labels").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
    }

    [RootFact]
    public void Label_OverTheImagesLabels_FileThenFlags_InInspect()
    {
        var builder = new ImageArchiveBuilder().AddLayer(BusyboxRootfs.LayerTarBytes()).WithName("labeled:latest");
        builder.Labels["from.image"] = "kept";
        builder.Labels["overridden"] = "by-image";
        string archive = fixture.Scratch.Combine("labeled.tar");
        builder.Write(ArchiveFormat.DockerSave, archive);
        Cli.RunOk("load", "-i", archive);
        string file = fixture.Scratch.Combine("labels.list");
        File.WriteAllText(file, "# a comment\n\nfrom.file=a b \nno-value-dropped\noverridden=by-file\nk=v=w\n");
        try
        {
            foreach (string verb in new[] { "run", "create" })
            {
                string name = "labels-" + verb;
                Cli.RunOk([verb, "--name", name, "--label-file", file, "-l", "overridden=by-flag", "--label", "bare", "labeled:latest", "true"]);
                Assert.Equal(new Dictionary<string, string>
                {
                    ["bare"] = "", ["from.file"] = "a b ", ["from.image"] = "kept", ["k"] = "v=w", ["overridden"] = "by-flag",
                }, Labels(name));
            }
            Assert.Empty(Labels(Cli.RunOk("create", fixture.Image, "true").Stdout.Trim())); // an image without labels, none given

            // Docker's refusals, before anything is made.
            int before = Cli.Run("ps", "-aq").Stdout.Length;
            MiniRunCli.Result empty = Cli.Run("run", "--rm", "-l", "=x", fixture.Image, "true");
            Assert.Equal((125, "minirun: invalid argument \"=x\" for \"-l, --label\" flag: invalid label '=x': empty name\n"), (empty.ExitCode, empty.Stderr));
            Assert.Contains("contains whitespaces", Cli.Run("run", "--rm", "-l", "a b=c", fixture.Image, "true").Stderr);
            Assert.Contains("no such file", Cli.Run("run", "--rm", "--label-file", fixture.Scratch.Combine("nosuch"), fixture.Image, "true").Stderr);
            Assert.Equal(before, Cli.Run("ps", "-aq").Stdout.Length);
        }
        finally
        {
            foreach (string id in Cli.Run("ps", "-aq").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)) Cli.Run("rm", "-f", id);
            Cli.Run("rmi", "labeled:latest");
        }
    }

    [RootFact]
    public void Cidfile_HoldsTheFullId_ItsContainerRefusedWhenTheFileExists()
    {
        string cidfile = fixture.Scratch.Combine("cid");
        try
        {
            Cli.RunOk("run", "--rm", "--cidfile", cidfile, fixture.Image, "true");
            string id = File.ReadAllText(cidfile);
            Assert.Matches("^[0-9a-f]{64}$", id); // written, no newline, and kept after --rm as Docker keeps it

            int before = Cli.Run("ps", "-aq").Stdout.Length;
            MiniRunCli.Result again = Cli.Run("run", "--rm", "--cidfile", cidfile, fixture.Image, "true");
            Assert.Equal((125, $"minirun: container ID file found, make sure the other container isn't running or delete {cidfile}\n"), (again.ExitCode, again.Stderr));
            Assert.Equal(id, File.ReadAllText(cidfile)); // untouched
            Assert.Equal(before, Cli.Run("ps", "-aq").Stdout.Length);
            File.Delete(cidfile);

            // create writes it too; a create that fails removes the file it made.
            string created = Cli.RunOk("create", "--cidfile", cidfile, fixture.Image, "true").Stdout.Trim();
            Assert.Equal(created, File.ReadAllText(cidfile));
            Cli.RunOk("rm", created);
            File.Delete(cidfile);
            Assert.Equal(1, Cli.Run("create", "--pull", "never", "--cidfile", cidfile, "nosuch:image", "true").ExitCode); // docker create: 1
            Assert.False(File.Exists(cidfile));
            MiniRunCli.Result noDir = Cli.Run("create", "--cidfile", fixture.Scratch.Combine("no", "dir"), fixture.Image, "true");
            Assert.Equal(1, noDir.ExitCode);
            Assert.Contains("failed to create the container ID file", noDir.Stderr);
        }
        finally
        {
            File.Delete(cidfile);
        }
    }
}
