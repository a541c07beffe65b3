namespace MiniRun.Common;

/// <summary>
/// Every error a user can see: the message says what is wrong and where, in one line.
/// The CLI prints it as "minirun: &lt;message&gt;" and exits 125.
/// </summary>
public class MiniRunException : Exception
{
    public MiniRunException(string message) : base(message) { }
    public MiniRunException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>The input (an archive, a manifest, a reference) is malformed or hostile.</summary>
public sealed class InvalidInputException(string message) : MiniRunException(message);

/// <summary>A name (image, container) that the store does not know.</summary>
public sealed class NotFoundException(string message) : MiniRunException(message);
