using MiniRun.Cli.CommandLine;
using MiniRun.Cli.Output;
using MiniRun.Containers;
using MiniRun.Images;

namespace MiniRun.Cli.Verbs;

public sealed class RmiVerb : IVerb
{
    public string Name => "rmi";
    public string Usage => "minirun rmi IMAGE [IMAGE...]";
    public string Summary => "Remove images (and the layers no other image uses)";
    public IReadOnlyList<OptionSpec> Options { get; } = [];

    public int Execute(ParsedArguments args, CliContext context)
    {
        if (args.Positionals.Count == 0) throw UsageException.Arguments("\"minirun rmi\" requires at least 1 argument (see 'minirun rmi --help')");
        int status = 0;
        // Exclusive: no container is being created from these layers and no load is about to record them meanwhile.
        using MiniRun.Native.FileLock storeLock = context.Images.Paths.LockExclusive();
        foreach (string reference in args.Positionals)
        {
            try
            {
                ImageRecord image = context.Images.Resolve(reference);
                // Docker refuses while any container, running or stopped, still uses the image.
                Container? user = context.Containers.List().FirstOrDefault(c => c.Record.ImageId == image.Id.ToString());
                bool untagOnly = image.Names.Count > 1 && ImageReference.TryParse(reference, out ImageReference? asName) && image.Names.Contains(asName.ToString());
                if (user is not null && !untagOnly)
                    throw new MiniRunException($"unable to remove image {reference}: container {user.ShortId} ({user.Name}) is using it: remove the container first");
                ImageRemoval removal = context.Images.Remove(reference);
                foreach (string name in removal.Untagged) context.Out.WriteLine($"Untagged: {ImageReference.Parse(name).FamiliarString}");
                if (removal.Deleted) context.Out.WriteLine($"Deleted: {removal.Id}");
                foreach (Digest layer in removal.DeletedLayers) context.Out.WriteLine($"Deleted: {layer}");
            }
            catch (MiniRunException e)
            {
                ErrorPrinter.Print(e);
                status = 1;
            }
        }
        return status;
    }
}
