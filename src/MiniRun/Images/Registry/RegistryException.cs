namespace MiniRun.Images.Registry;

/// <summary>A registry refused, failed or could not be reached; the message names the registry, in one line.</summary>
public sealed class RegistryException(string message) : MiniRunException(message);
