using MiniRun.Native;
using MiniRun.Fixtures;
using MiniRun.Fixtures.Images;
using MiniRun.Store.Maintenance;

namespace MiniRun.Tests.Reliability;

/// <summary>
/// A scratch store for one reliability test, with the archive of a two-layer busybox image next to it. Disposing
/// removes every container of the store (killing, unmounting, deleting cgroups) and then the directory, pass or fail.
/// </summary>
public sealed class ReliabilityStore : IDisposable
{
    public const string Image = "reliable:latest";

    public TempDirectory Scratch { get; } = new("minirun-reliability");
    public MiniRunCli Cli { get; }
    public string Archive { get; }
    public IReadOnlyList<string> DiffIds { get; }

    public ReliabilityStore()
    {
        Cli = new MiniRunCli(Scratch.Combine("store"));
        var builder = new ImageArchiveBuilder()
            .AddLayer(BusyboxRootfs.LayerTarBytes())
            .AddLayer(LayerTar.Files(("srv/marker", "reliable\n")))
            .WithName(Image);
        Archive = Scratch.Combine("reliable.tar");
        builder.Write(ArchiveFormat.DockerSave, Archive);
        DiffIds = builder.DiffIds;
    }

    public MiniRunCli.Result Load() => Cli.Run("load", "-i", Archive);

    public MiniRunCli.Result CrashAt(string step, params string[] args) =>
        Cli.RunWithEnvironment(new Dictionary<string, string> { [CrashPoint.Variable] = step }, args);

    /// <summary>Mount points under the store (a leak if no container runs).</summary>
    public List<string> Mounts() => StorePruner.MountsUnder(Cli.StoreRoot);

    public string[] Entries(string directory)
    {
        string path = Path.Combine(Cli.StoreRoot, directory);
        return Directory.Exists(path) ? Directory.GetFileSystemEntries(path).Select(Path.GetFileName).OfType<string>().Order().ToArray() : [];
    }

    public void Dispose()
    {
        if (MiniRun.Native.Syscalls.IsRoot && Directory.Exists(Cli.StoreRoot))
        {
            try
            {
                foreach (string id in Cli.Run("ps", "-aq").Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                    Cli.Run("rm", "-f", id);
                Cli.Run("system", "check", "--repair"); // kills and tears down what a crashed runner left
            }
            catch (Exception) { /* the scratch directory's removal below still unmounts and deletes */ }
        }
        Scratch.Dispose();
    }
}
