namespace MiniRun.Cli.Output;

/// <summary>Every error line the CLI writes: "minirun: &lt;message&gt;" on stderr, one line, human (see <see cref="UserMessages"/>).</summary>
public static class ErrorPrinter
{
    public static void Print(Exception e) => Console.Error.WriteLine(UserMessages.Line(e));

    public static void Print(string message) => Console.Error.WriteLine(UserMessages.Line(message));
}
