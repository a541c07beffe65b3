using System.Text;

namespace MiniRun.Native;

/// <summary>
/// Text written with write(2) on a descriptor this process was given (a stage's fd 5: minirun's stderr), each flush at
/// the descriptor's shared offset: a FileStream keeps a position of its own and would write over what the parent wrote.
/// </summary>
public sealed class DescriptorWriter(int fd) : TextWriter
{
    private readonly StringBuilder _buffer = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value) => _buffer.Append(value);

    public override void Write(string? value) => _buffer.Append(value);

    public override void Flush()
    {
        if (_buffer.Length == 0) return;
        Syscalls.WriteAll(fd, Encoding.UTF8.GetBytes(_buffer.ToString()), "fd " + fd);
        _buffer.Clear();
    }
}
