using MiniRun.Cli.Output;
using MiniRun.Containers;

namespace MiniRun.Cli.Verbs;

/// <summary>Docker's multi-container verbs: act on each, print its name, report failures and go on, exit 1 at the end if any failed.</summary>
public static class EachContainer
{
    public static int Run(IEnumerable<string> names, CliContext context, Action<Container> action)
    {
        int status = 0;
        foreach (string name in names)
        {
            try
            {
                action(context.Containers.Resolve(name));
                context.Out.WriteLine(name);
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
