namespace MiniRun.Native;

public static partial class ProcessControl
{
    /// <summary>
    /// Runs <paramref name="path"/> with <paramref name="input"/> on its stdin and its stderr on ours; its exit status
    /// and stdout. For helper programs that read a small request whole before they answer (credential helpers, CNI
    /// plugins): the input is written before the output is read, so it must fit a pipe's buffer.
    /// </summary>
    public static (int Status, byte[] Output) RunPiped(string path, IReadOnlyList<string> argv, IReadOnlyList<string> env, ReadOnlySpan<byte> input)
    {
        (int stdinRead, int stdinWrite) = CreatePipe();
        (int stdoutRead, int stdoutWrite) = CreatePipe();
        int pid;
        try { pid = Spawn(path, argv, env, output: (stdoutWrite, 2), stdin: stdinRead); }
        catch
        {
            Close(stdinWrite);
            Close(stdoutRead);
            throw;
        }
        finally
        {
            Close(stdinRead);
            Close(stdoutWrite);
        }
        byte[] output;
        try
        {
            try { WriteAll(stdinWrite, input); }
            catch (NativeException) { /* EPIPE: the program did not read its stdin; its status tells */ }
            Close(stdinWrite);
            stdinWrite = -1;
            output = ReadAll(stdoutRead);
        }
        finally
        {
            if (stdinWrite >= 0) Close(stdinWrite);
            Close(stdoutRead);
        }
        return (WaitForExit(pid), output);
    }
}
