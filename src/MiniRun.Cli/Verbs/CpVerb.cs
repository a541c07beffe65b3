using MiniRun.Cli.CommandLine;
using MiniRun.Cli.Output;
using MiniRun.Containers;
using MiniRun.Runtime.Lifecycle;

namespace MiniRun.Cli.Verbs;

/// <summary>`cp`: files between a container and the host, either way, or a tar stream with "-" (docker cp's).</summary>
public sealed class CpVerb : IVerb
{
    public string Name => "cp";
    public string Usage => "minirun cp [-a] CONTAINER:SRC DEST|-   or   minirun cp [-a] SRC|- CONTAINER:DEST";
    public string Summary => "Copy files between a container and the host (a tar stream with -); paths inside stay inside";

    public IReadOnlyList<OptionSpec> Options { get; } =
    [
        OptionSpec.Flag("archive", 'a', "Keep the files' owners (UID and GID); else what is copied is root's"),
    ];

    public IReadOnlyList<VerbExample> Examples =>
    [
        new("Copy a file out of a container", "minirun cp web:/etc/os-release ."),
        new("Copy a directory in, keeping its owners", "minirun cp -a ./site web:/srv"),
        new("A directory as a tar stream on stdout", "minirun cp web:/etc - | tar -t"),
    ];

    public int Execute(ParsedArguments args, CliContext context)
    {
        if (args.Positionals.Count != 2) throw UsageException.Arguments("\"minirun cp\" requires exactly 2 arguments: SRC and DEST, one of them CONTAINER:PATH (see 'minirun cp --help')");
        string source = args.Positionals[0], destination = args.Positionals[1];
        bool fromContainer = IsContainerPath(source), toContainer = IsContainerPath(destination);
        if (fromContainer == toContainer)
            throw UsageException.Arguments("copying between containers or between two host paths is not supported: one of SRC and DEST is CONTAINER:PATH");
        (string name, string path) = Split(fromContainer ? source : destination);
        Container container = context.Containers.Resolve(name);
        var runner = new ContainerRunner(context.Images, context.Containers);
        try
        {
            using ContainerRoot root = ContainerRoot.Open(runner, context.Containers, container);
            if (fromContainer) CopyOut(root.Path, path, destination, args.Has("archive"));
            else CopyIn(source, root.Path, path, args.Has("archive"));
            return 0;
        }
        catch (Exception e) when (e is MiniRunException or IOException)
        {
            ErrorPrinter.Print(e); // docker cp's status for a failed copy
            return 1;
        }
    }

    private static bool IsContainerPath(string arg) => arg != "-" && !arg.StartsWith('/') && !arg.StartsWith('.') && arg.IndexOf(':') > 0;

    private static (string Container, string Path) Split(string arg)
    {
        int colon = arg.IndexOf(':');
        string path = arg[(colon + 1)..];
        return (arg[..colon], path.StartsWith('/') ? path : "/" + path);
    }

    private static void CopyOut(string root, string path, string destination, bool keepOwners)
    {
        if (destination == "-")
        {
            using Stream stdout = Console.OpenStandardOutput();
            ContainerCopy.ToTar(root, path, stdout);
            return;
        }
        ThroughTar(tar => ContainerCopy.ToTar(root, path, tar), () => HostTarget(destination, path), keepOwners);
    }

    private static void CopyIn(string source, string root, string path, bool keepOwners)
    {
        if (source == "-")
        {
            (Native.DirectoryWriter into, _) = ContainerCopy.Target(root, path, mustBeDirectory: true);
            using Stream stdin = Console.OpenStandardInput();
            using (into) ContainerCopy.FromTar(stdin, into, null, keepOwners);
            return;
        }
        // The host's side: its own paths, as given.
        ThroughTar(tar => ContainerCopy.ToTar("/", Path.GetFullPath(source), tar), () => ContainerCopy.Target(root, path, mustBeDirectory: false), keepOwners);
    }

    /// <summary>
    /// The source written whole as a tar into a temporary file, then written out where <paramref name="target"/> says:
    /// asked only once the source was readable, so a failed copy makes no destination directory.
    /// </summary>
    private static void ThroughTar(Action<Stream> writeTar, Func<(Native.DirectoryWriter Directory, string? Rename)> target, bool keepOwners)
    {
        using var temp = new FileStream(Path.GetTempFileName(), FileMode.Open, FileAccess.ReadWrite, FileShare.None, 4096, FileOptions.DeleteOnClose);
        writeTar(temp);
        temp.Position = 0;
        (Native.DirectoryWriter directory, string? rename) = target();
        using (directory) ContainerCopy.FromTar(temp, directory, rename, keepOwners);
    }

    /// <summary>On the host: into DEST when it is a directory (under the source's name), else as DEST.</summary>
    private static (Native.DirectoryWriter, string?) HostTarget(string destination, string sourcePath)
    {
        string full = Path.GetFullPath(destination);
        // SRC/. copies a directory's contents: into DEST, made when missing, as docker cp does.
        if (sourcePath.EndsWith("/.", StringComparison.Ordinal)) Directory.CreateDirectory(full);
        if (Directory.Exists(full)) return (Native.DirectoryWriter.Open(full), null);
        string parent = Path.GetDirectoryName(full.TrimEnd('/'))!;
        if (!Directory.Exists(parent)) throw new MiniRunException($"{parent}: no such directory");
        return (Native.DirectoryWriter.Open(parent), Path.GetFileName(full.TrimEnd('/')));
    }
}
