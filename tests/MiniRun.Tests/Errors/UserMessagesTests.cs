using System.Formats.Tar;
using MiniRun.Native;

namespace MiniRun.Tests.Errors;

/// <summary>The one error printer's text: human, one line, for minirun's errors and for .NET's (real ones where a test can cause them).</summary>
public sealed class UserMessagesTests
{
    [Fact]
    public void Describe_WriteToDevFull_NamesPathReasonAndWhatToDo()
    {
        IOException e = Assert.ThrowsAny<IOException>(() => File.WriteAllBytes("/dev/full", new byte[1 << 16]));

        Assert.Equal("/dev/full: no space left on device: the disk is full, free some space (minirun system prune removes what no container uses)",
            UserMessages.Describe(e));
    }

    [Fact]
    public void Describe_MissingFile_SaysNoSuchFile()
    {
        using var temp = new TempDirectory();
        string missing = temp.Combine("missing.tar");

        Exception e = Assert.ThrowsAny<IOException>(() => File.ReadAllBytes(missing));

        Assert.Equal("no such file: " + missing, UserMessages.Describe(e));
    }

    [Fact]
    public void Describe_MissingDirectory_SaysNoSuchFileOrDirectory()
    {
        using var temp = new TempDirectory();
        string missing = temp.Combine("gone", "file");

        Exception e = Assert.ThrowsAny<IOException>(() => File.WriteAllText(missing, "x"));

        Assert.Equal("no such file or directory: " + missing, UserMessages.Describe(e));
    }

    [Fact]
    public void Describe_UnauthorizedAccess_SaysPermissionDeniedWithPathAndWhatToDo()
    {
        // .NET's own text for EACCES/EPERM on a path (Interop.GetExceptionForIoErrno); the CLI tests cause real ones.
        var e = new UnauthorizedAccessException("Access to the path '/store/repositories.json' is denied.");

        string message = UserMessages.Describe(e);

        Assert.StartsWith("permission denied: /store/repositories.json: ", message);
        Assert.EndsWith(Syscalls.IsRoot ? "(ls -ld, lsattr)" : "run it with sudo", message);
    }

    [Fact]
    public void Describe_RandomBytesAsTar_SaysCorruptData()
    {
        var random = new byte[4096];
        new Random(15).NextBytes(random);

        Exception e = Assert.ThrowsAny<InvalidDataException>(() => new TarReader(new MemoryStream(random)).GetNextEntry());

        Assert.StartsWith("corrupt or unreadable data (", UserMessages.Describe(e));
        Assert.DoesNotContain('\n', UserMessages.Describe(e));
    }

    [Fact]
    public void Describe_OwnException_IsItsMessage()
    {
        Assert.Equal("no such image: x", UserMessages.Describe(new NotFoundException("no such image: x")));
    }

    [Fact]
    public void Line_ControlCharacters_AreEscapedOnOneLine()
    {
        Assert.Equal("minirun: exec: \"a\\x1b[31m\\nb\\r\\tc\": not found", UserMessages.Line("exec: \"a\u001b[31m\nb\r\tc\": not found\n"));
    }

    [Fact]
    public void Line_PlainMessage_IsPrefixedOnly()
    {
        Assert.Equal("minirun: no such object: web", UserMessages.Line("no such object: web"));
    }

    [Fact]
    public void Detail_DotNetText_BecomesLowerCaseWithoutPeriod()
    {
        Assert.Equal("unable to parse number", UserMessages.Detail(new InvalidDataException("Unable to parse number.")));
        Assert.Equal("EOF in header", UserMessages.Detail(new InvalidDataException("EOF in header")));
    }

    [Fact]
    public void NativeException_FileCallRefused_SaysWhatToDo()
    {
        var e = new NativeException("mkdir", "/var/lib/minirun/layers", Errnos.EACCES);

        Assert.StartsWith("mkdir /var/lib/minirun/layers: EACCES (Permission denied): ", e.Message);
        Assert.EndsWith(Syscalls.IsRoot ? "(ls -ld, lsattr)" : "minirun needs root, run it with sudo", e.Message);
    }

    [Fact]
    public void NativeException_MountRefusedToRoot_BlamesNoPath()
    {
        var e = new NativeException("mount", "/x/merged", Errnos.EPERM);

        Assert.Equal(Syscalls.IsRoot ? "mount /x/merged: EPERM (Operation not permitted)"
            : "mount /x/merged: EPERM (Operation not permitted): minirun needs root, run it with sudo", e.Message);
    }

    [Fact]
    public void NativeException_OtherErrno_HasNoHint()
    {
        Assert.Equal("rmdir /x: ENOTEMPTY (Directory not empty)", new NativeException("rmdir", "/x", Errnos.ENOTEMPTY).Message);
    }
}
