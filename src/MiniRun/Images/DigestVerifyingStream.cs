using System.Security.Cryptography;

namespace MiniRun.Images;

/// <summary>
/// Passes a blob through while hashing it, and fails at its end when the digest (or the declared size) is not the
/// one the manifest promised (image-spec descriptor.md: "the content MUST be verified against the digest").
/// Failing inside the read, before the consumer sees end of stream, stops the layer store from publishing the layer.
/// </summary>
internal sealed class DigestVerifyingStream(Stream inner, Digest expected, long? expectedSize, BlobSource source, string name) : ForwardOnlyStream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private bool _verified;

    protected override int ReadCore(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        if (n == 0)
        {
            Verify();
            return 0;
        }
        _hash.AppendData(buffer[..n]);
        if (expectedSize is { } size && Position + n > size)
            throw new InvalidInputException($"{source.Description}: blob {name} is larger than its declared {size} bytes");
        return n;
    }

    /// <summary>Reads what the consumer left (a decompressor may stop before the end) and checks the digest.</summary>
    public void ReadToEndAndVerify()
    {
        byte[] chunk = new byte[81920];
        while (Read(chunk) > 0) { }
        Verify();
    }

    private void Verify()
    {
        if (_verified) return;
        Digest actual = Digest.FromSha256(_hash.GetHashAndReset());
        if (actual != expected) throw source.BlobDigestMismatch(name, actual, expected);
        if (expectedSize is { } size && Position != size)
            throw new InvalidInputException($"{source.Description}: blob {name} has {Position} bytes, its descriptor says {size}");
        _verified = true;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
