using System.Security.Cryptography;

namespace MiniRun.Common;

/// <summary>A read-only pass-through stream that hashes (sha256) and counts every byte read through it.</summary>
public sealed class HashingStream(Stream inner, bool leaveOpen = false) : ForwardOnlyStream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public long BytesRead => Position;

    /// <summary>Reads whatever is left so that the digest covers the whole stream, then returns it.</summary>
    public Digest Finish()
    {
        CopyTo(Null);
        return Digest.FromSha256(_hash.GetHashAndReset());
    }

    protected override int ReadCore(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        _hash.AppendData(buffer[..n]);
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
            if (!leaveOpen) inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
