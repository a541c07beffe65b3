namespace MiniRun.Tests.Registry;

/// <summary>
/// A real docker-credential-test program (a shell script in a temp bin directory put first on PATH) that keeps logins
/// in a file beside it, one line per server, and logs each call's action and server: a stand-in for pass or secretservice
/// that speaks the same protocol, so the test sees exactly what MiniRun asked of it.
/// </summary>
internal sealed class FakeCredentialHelper
{
    public const string Name = "test";

    public FakeCredentialHelper(string directory)
    {
        Directory = directory;
        System.IO.Directory.CreateDirectory(directory);
        string script = Path.Combine(directory, "docker-credential-" + Name);
        File.WriteAllText(script, """
            #!/bin/sh
            # store: {"ServerURL":…,"Username":…,"Secret":…} on stdin; get, erase: the server URL on stdin.
            here=$(dirname "$0")
            touch "$here/store"
            input=$(cat)
            case "$1" in
            store)
                server=$(printf '%s' "$input" | sed -n 's/.*"ServerURL":"\([^"]*\)".*/\1/p')
                echo "store $server" >> "$here/calls"
                grep -v -F "$server	" "$here/store" > "$here/store.new"
                printf '%s\t%s\n' "$server" "$input" >> "$here/store.new"
                mv "$here/store.new" "$here/store" ;;
            get)
                echo "get $input" >> "$here/calls"
                line=$(grep -F "$input	" "$here/store") || { echo "credentials not found in native keychain"; exit 1; }
                printf '%s\n' "${line#*	}" ;;
            erase)
                echo "erase $input" >> "$here/calls"
                grep -v -F "$input	" "$here/store" > "$here/store.new"
                mv "$here/store.new" "$here/store" ;;
            *) echo "unknown action $1"; exit 1 ;;
            esac
            """);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }

    public string Directory { get; }

    /// <summary>PATH with the helper's directory first.</summary>
    public string SearchPath => Directory + ":" + Environment.GetEnvironmentVariable("PATH");

    /// <summary>"store 127.0.0.1:5000", "get …", "erase …" in the order they came.</summary>
    public IReadOnlyList<string> Calls => File.Exists(Path.Combine(Directory, "calls")) ? File.ReadAllLines(Path.Combine(Directory, "calls")) : [];

    /// <summary>What the helper keeps: one line per server, the server and the JSON it was given.</summary>
    public string Stored => File.Exists(Path.Combine(Directory, "store")) ? File.ReadAllText(Path.Combine(Directory, "store")) : "";
}
