using MiniRun.Fixtures;
using MiniRun.Fixtures.Images;
using MiniRun.Fixtures.Tar;

namespace MiniRun.Tests.Images;

/// <summary>`save` gives back the tars an image was loaded from, so `load` of the saved archive finds the same image ID (as Docker keeps it).</summary>
public sealed class SaveLoadIdentityTests : IDisposable
{
    private readonly TempDirectory _temp = new("minirun-save-id");

    public void Dispose() => _temp.Dispose();

    [RootTheory]
    [InlineData("docker")]
    [InlineData("oci")]
    public void SaveRmiLoad_Minibox_KeepsTheImageId(string format)
    {
        const string name = "minirun-save-id:minibox";
        string original = _temp.Combine("minibox.tar");
        ExternalCommand.CheckResult(ExternalCommand.Run("bash", [Path.Combine(FixturePaths.RepositoryRoot, "images", "minibox", "build.sh"), original],
            TimeSpan.FromMinutes(2), new Dictionary<string, string> { ["IMAGE_NAME"] = name }));

        AssertSaveRmiLoadKeepsId(original, name, format);
    }

    [RootFact]
    public void SaveRmiLoad_LayersWithWhiteoutsHardLinksAndSymlinkedDirectories_KeepsTheImageId()
    {
        const string name = "minirun-save-id:odd";
        string original = _temp.Combine("odd.tar");
        new ImageArchiveBuilder()
            .AddLayer(BusyboxRootfs.LayerTarBytes())
            .AddLayer(new TarBuilder().Whiteout("bin/vi").Opaque("etc").File("etc/motd", "hi", mtime: new DateTimeOffset(2024, 5, 6, 7, 8, 9, 123, TimeSpan.Zero)).ToArray())
            .AddLayer(OddArchives.Get("hardlink-absolute-target").Tar)
            .AddLayer(OddArchives.Get("symlink-directory-absolute").Tar)
            .WithName(name)
            .Write(ArchiveFormat.DockerSave, original);

        AssertSaveRmiLoadKeepsId(original, name, "docker");
    }

    private void AssertSaveRmiLoadKeepsId(string original, string name, string format)
    {
        var cli = new MiniRunCli(_temp.Combine("store"));
        cli.RunOk("load", "-i", original);
        string id = cli.RunOk("inspect", "-f", "{{.Id}}", name).Stdout.Trim();
        Assert.StartsWith("sha256:", id);
        Assert.Equal(id[7..19] + "\n", cli.RunOk("images", "-q").Stdout);

        string saved = _temp.Combine("saved.tar");
        cli.RunOk("save", "--format", format, "-o", saved, name);
        cli.RunOk("rmi", name);
        Assert.Equal("", cli.RunOk("images", "-q").Stdout);
        cli.RunOk("load", "-i", saved);

        Assert.Equal(id, cli.RunOk("inspect", "-f", "{{.Id}}", name).Stdout.Trim());
        Assert.Equal(id[7..19] + "\n", cli.RunOk("images", "-q").Stdout);
        cli.RunOk("rmi", name);
    }
}
