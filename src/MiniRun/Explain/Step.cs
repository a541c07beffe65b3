namespace MiniRun.Explain;

/// <summary>
/// One kernel side effect as data: the shell command that does the same with standard tools (util-linux, coreutils,
/// libcap's capsh) and one line of why. The explain narrator prints it; the dry-run script is made of them.
/// <paramref name="AlreadyDone"/> marks a step done earlier (a layer unpacked at load): shown, never repeated.
/// </summary>
public sealed record Step(string Command, string Why, bool AlreadyDone = false);
