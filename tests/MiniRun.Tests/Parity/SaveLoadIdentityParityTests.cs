using MiniRun.Fixtures;

namespace MiniRun.Tests.Parity;

/// <summary>An image ID is its config's digest, kept across save and load by Docker, and so by minirun.</summary>
public sealed class SaveLoadIdentityParityTests : IDisposable
{
    private const string Name = "minirun-save-id-parity:minibox";
    private readonly TempDirectory _temp = new("minirun-save-id-parity");

    public void Dispose() => _temp.Dispose();

    [DockerFact]
    public void DockerLoad_OfMiniRunSave_GivesTheSameImageId()
    {
        string original = _temp.Combine("minibox.tar");
        ParityImage.BuildMinibox(Name, original);
        var cli = new MiniRunCli(_temp.Combine("store"));
        try
        {
            DockerEngine.Docker("load", "-i", original);
            string dockerId = DockerEngine.Docker("image", "inspect", "-f", "{{.Id}}", Name).Trim();
            DockerEngine.Docker("rmi", Name);
            cli.RunOk("load", "-i", original);
            string id = cli.RunOk("inspect", "-f", "{{.Id}}", Name).Stdout.Trim();
            Assert.Equal(dockerId, id);

            string saved = _temp.Combine("saved.tar");
            cli.RunOk("save", "-o", saved, Name);
            DockerEngine.Docker("load", "-i", saved);

            Assert.Equal(id, DockerEngine.Docker("image", "inspect", "-f", "{{.Id}}", Name).Trim());
        }
        finally
        {
            DockerEngine.TryDocker("rmi", Name);
        }
    }
}
