using MiniRun.Fuzz;
using SharpFuzz;

// fuzz TARGET            : under afl-fuzz (SharpFuzz's out-of-process protocol)
// fuzz TARGET --replay F…: runs the given inputs once, in process (the regression corpus, crashes to reproduce)
if (args.Length == 0 || !FuzzTargets.All.TryGetValue(args[0], out Action<byte[]>? target))
{
    Console.Error.WriteLine($"usage: MiniRun.Fuzz {string.Join('|', FuzzTargets.All.Keys)} [--replay FILE...]");
    return 2;
}
if (args.Length > 1 && args[1] == "--replay")
{
    foreach (string file in args.Skip(2)) target(File.ReadAllBytes(file));
    Console.WriteLine($"{args[0]}: {args.Length - 2} inputs replayed, no crash");
    return 0;
}
Fuzzer.OutOfProcess.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    target(buffer.ToArray());
});
return 0;
