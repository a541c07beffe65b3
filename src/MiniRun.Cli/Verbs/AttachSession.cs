using MiniRun.Cli.Output;
using MiniRun.Containers;
using MiniRun.Containers.Attach;
using MiniRun.Native;
using MiniRun.Sandbox;

namespace MiniRun.Cli.Verbs;

/// <summary>What `attach` and `start -a` share: the connection, the relay, and the exit status and words Docker's CLI has for how it ended.</summary>
internal static class AttachSession
{
    /// <summary>A connection to a running container's supervisor; null when the container stopped meanwhile.</summary>
    public static int? Connect(CliContext context, Container container)
    {
        if (AttachClient.TryConnect(container.Directory) is { } socket) return socket;
        if (!context.Containers.Observe(container).Running) return null;
        throw new MiniRunException($"container {container.Name} runs in the foreground of `minirun run`, which serves no attach " +
            "(a detached one does: run -d, start): follow its output with `minirun logs -f`");
    }

    /// <param name="detachIsError">attach: "read escape sequence" and status 1, as docker attach; start -a leaves quietly with 0, as docker start does.</param>
    public static int Run(CliContext context, Container container, int socket, AttachOptions options, bool detachIsError)
    {
        AttachResult result;
        try { result = AttachClient.Relay(socket, options); }
        finally { ProcessControl.Close(socket); }
        switch (result.End)
        {
            case AttachEnd.Detached:
                if (!detachIsError) return 0;
                Console.Error.WriteLine("read escape sequence"); // Docker's words, and its status
                return 1;
            case AttachEnd.Signalled:
                return result.ExitCode;
            case AttachEnd.Exited when result.Error is { } error:
                ErrorPrinter.Print(error);
                return ExitCodes.RuntimeError;
            case AttachEnd.Exited:
                return result.ExitCode;
            default:
                // The supervisor went away without a word: what the store recorded says what became of the container.
                context.Containers.WaitUntilStopped(container, TimeSpan.FromSeconds(10));
                ContainerStatus status = context.Containers.Observe(container);
                if (status.Status == StateStatus.Dead) throw new MiniRunException($"container {container.Name} is dead: its supervisor was killed, no exit code was recorded");
                return status.State.ExitCode;
        }
    }
}
