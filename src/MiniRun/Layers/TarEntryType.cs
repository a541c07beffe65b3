namespace MiniRun.Layers;

/// <summary>The tar typeflag of an entry (POSIX ustar, pax(1) "typeflag"); unknown flags are passed through as their byte.</summary>
public enum TarEntryType : byte
{
    RegularFile = (byte)'0',
    HardLink = (byte)'1',
    SymbolicLink = (byte)'2',
    CharacterDevice = (byte)'3',
    BlockDevice = (byte)'4',
    Directory = (byte)'5',
    Fifo = (byte)'6',
}
