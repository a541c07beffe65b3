namespace MiniRun.Containers;

/// <summary>Another container has the name (a generated name is drawn again; a given one is the user's to change).</summary>
public sealed class NameInUseException(string message) : MiniRunException(message);
