namespace MiniRun.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("minirun: not yet wired");
        return 125;
    }
}
