namespace MiniRun.Containers;

/// <summary>
/// docker run --cidfile FILE, as Docker's CLI does it: the file is made (it must not exist) before the container is,
/// the full ID written once the container exists, and the file removed again when creating it fails. It stays after
/// the container is gone (--rm too), for whoever reads it.
/// </summary>
public sealed class ContainerIdFile : IDisposable
{
    private readonly string _path;
    private FileStream? _file;
    private bool _written;

    private ContainerIdFile(string path, FileStream file)
    {
        _path = path;
        _file = file;
    }

    public static ContainerIdFile Create(string path)
    {
        if (Path.Exists(path)) throw new MiniRunException($"container ID file found, make sure the other container isn't running or delete {path}");
        try
        {
            return new ContainerIdFile(path, new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read));
        }
        catch (IOException) when (File.Exists(path)) // made meanwhile, by another run with the same file
        {
            throw new MiniRunException($"container ID file found, make sure the other container isn't running or delete {path}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MiniRunException($"failed to create the container ID file: open {path}: {(e is DirectoryNotFoundException ? "no such file or directory" : e.Message)}");
        }
    }

    /// <summary>The container's full ID, without a newline, as Docker writes it.</summary>
    public void Write(string id)
    {
        if (_file is null) throw new InvalidOperationException("the container ID file is closed");
        _file.Write(System.Text.Encoding.ASCII.GetBytes(id));
        _file.Dispose();
        _file = null;
        _written = true;
    }

    /// <summary>Closes the file; removes it when no ID was written (the container was not made).</summary>
    public void Dispose()
    {
        _file?.Dispose();
        _file = null;
        if (!_written) File.Delete(_path);
    }
}
