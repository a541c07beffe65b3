using System.Formats.Tar;
using MiniRun.Fixtures;

namespace MiniRun.Tests.Containers;

/// <summary>
/// `cp` both ways and through tar streams, on a stopped and a running container; links the container made are copied
/// as links and resolved inside its root, even while it swaps them (CVE-2018-15664): nothing is read or written outside.
/// </summary>
public class CopyTests(RunImageFixture fixture) : IClassFixture<RunImageFixture>
{
    private MiniRunCli Cli => fixture.Cli;

    private string Scratch(string name)
    {
        string dir = fixture.Scratch.Combine(name);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>`run -d` returns once the command runs, not once it has made what a test copies into or through.</summary>
    private void WaitUntilMade(string container, string path)
    {
        for (int i = 0; i < 200 && Cli.Run("exec", container, "test", "-e", path).ExitCode != 0; i++) Thread.Sleep(50);
    }

    [RootFact]
    public void Out_OfAStoppedContainer_CopiesFilesTreesAndLinksAsLinks()
    {
        Cli.RunOk("run", "--name", "cp-out", fixture.Image, "sh", "-c", "mkdir -p /d/sub; echo a > /d/sub/f; ln -s /etc/passwd /d/link; chmod 4755 /d/sub/f");
        try
        {
            string host = Scratch("cp-out");
            Cli.RunOk("cp", "cp-out:/d", host);
            Assert.Equal("a\n", File.ReadAllText(Path.Combine(host, "d/sub/f")));
            Assert.Equal("/etc/passwd", new FileInfo(Path.Combine(host, "d/link")).LinkTarget); // the link, not the host's file
            Assert.Equal(UnixFileMode.SetUser | (UnixFileMode)0x1ed, File.GetUnixFileMode(Path.Combine(host, "d/sub/f")));

            Cli.RunOk("cp", "cp-out:/srv/marker", Path.Combine(host, "marker-copy"));
            Assert.Equal("from-image\n", File.ReadAllText(Path.Combine(host, "marker-copy")));

            Cli.RunOk("cp", "cp-out:/d/.", Path.Combine(host, "contents"));
            Assert.True(File.Exists(Path.Combine(host, "contents/sub/f")));
        }
        finally
        {
            Cli.Run("rm", "-f", "cp-out");
        }
    }

    [RootFact]
    public void InAndOut_ThroughTarStreams()
    {
        Cli.RunOk("run", "-d", "--name", "cp-tar", fixture.Image, "sh", "-c", "mkdir -p /d; echo t > /d/t; exec sleep 300");
        try
        {
            WaitUntilMade("cp-tar", "/d/t");
            string archive = fixture.Scratch.Combine("in.tar");
            using (var tar = new TarWriter(File.Create(archive)))
            {
                var entry = new PaxTarEntry(TarEntryType.RegularFile, "streamed.txt") { DataStream = new MemoryStream("from a stream\n"u8.ToArray()), Mode = (UnixFileMode)0x1a4 };
                tar.WriteEntry(entry);
            }
            ExternalCommand.Result streamIn = ExternalCommand.Run("sh", ["-c", "exec \"$0\" --root \"$1\" cp - cp-tar:/tmp < \"$2\"", MiniRunCli.BinaryPath, Cli.StoreRoot, archive]);
            Assert.True(streamIn.ExitCode == 0, streamIn.ToString());
            Assert.Equal("from a stream\n", Cli.RunOk("exec", "cp-tar", "cat", "/tmp/streamed.txt").Stdout);

            string outArchive = fixture.Scratch.Combine("out.tar");
            ExternalCommand.Result streamOut = ExternalCommand.Run("sh", ["-c", "exec \"$0\" --root \"$1\" cp cp-tar:/d - > \"$2\"", MiniRunCli.BinaryPath, Cli.StoreRoot, outArchive]);
            Assert.True(streamOut.ExitCode == 0, streamOut.ToString());
            var names = new List<string>();
            using (var reader = new TarReader(File.OpenRead(outArchive)))
                while (reader.GetNextEntry() is { } e) names.Add(e.Name);
            Assert.Equal(["d/", "d/t"], names);
        }
        finally
        {
            Cli.Run("rm", "-f", "cp-tar");
        }
    }

    [RootFact]
    public void In_ThroughALinkToEtc_LandsInTheContainersEtc_NotTheHosts()
    {
        string name = "minirun-cp-escape-" + Guid.NewGuid().ToString("N")[..8];
        Cli.RunOk("run", "-d", "--name", "cp-in", fixture.Image, "sh", "-c", "ln -s /etc /pwn; ln -s ../../../../../../.. /up; exec sleep 300");
        try
        {
            WaitUntilMade("cp-in", "/up");
            string file = Path.Combine(Scratch("cp-in"), name);
            File.WriteAllText(file, "copied in\n");
            Cli.RunOk("cp", file, "cp-in:/pwn/");
            Cli.RunOk("cp", file, "cp-in:/up/etc/");
            Assert.False(File.Exists("/etc/" + name));
            Assert.Equal("copied in\n", Cli.RunOk("exec", "cp-in", "cat", "/etc/" + name).Stdout);

            // Out the same way: the container's /etc/hostname, not the host's.
            string host = Scratch("cp-in-out");
            Cli.RunOk("cp", "cp-in:/up/etc/hostname", Path.Combine(host, "hostname"));
            Assert.Equal(Cli.RunOk("exec", "cp-in", "cat", "/etc/hostname").Stdout, File.ReadAllText(Path.Combine(host, "hostname")));
        }
        finally
        {
            Cli.Run("rm", "-f", "cp-in");
        }
    }

    [RootFact]
    public void In_WhileTheContainerSwapsADirectoryForALinkToRoot_NeverWritesOnTheHost()
    {
        // CVE-2018-15664: /w/d is a directory, then a link to /, back and forth, as fast as the container can.
        string name = "minirun-cp-race-" + Guid.NewGuid().ToString("N")[..8];
        Cli.RunOk("run", "-d", "--name", "cp-race", fixture.Image, "sh", "-c",
            "mkdir -p /w/d.real; while true; do ln -sfn / /w/d.link; mv -T /w/d.link /w/d 2>/dev/null; rm -f /w/d; mv /w/d.real /w/d 2>/dev/null; mv /w/d /w/d.real 2>/dev/null; done");
        try
        {
            string file = Path.Combine(Scratch("cp-race"), name);
            File.WriteAllText(file, "raced\n");
            for (int i = 0; i < 100; i++)
            {
                Cli.Run("cp", file, "cp-race:/w/d/"); // into the container's /w/d, its /, or an error: never the host's /
                Assert.False(File.Exists("/" + name), $"copy {i} wrote {name} into the host's /");
            }
        }
        finally
        {
            Cli.Run("rm", "-f", "cp-race");
            File.Delete("/" + name);
        }
    }

    [RootFact]
    public void In_ATarStreamWithALinkToTheHostThenAFileThroughIt_NeverWritesOnTheHost()
    {
        // The classic tar escape: an entry makes a link out, the next writes through it; and a name climbing with "..".
        string canary = Scratch("cp-tar-canary");
        Cli.RunOk("run", "-d", "--name", "cp-tar-escape", fixture.Image, "sh", "-c", "mkdir -p /in; exec sleep 300");
        try
        {
            WaitUntilMade("cp-tar-escape", "/in");
            foreach (string[] names in new[] { new[] { "out", "out/pwned" }, new[] { "up", "../../../../../../.." + canary + "/pwned" } })
            {
                string archive = fixture.Scratch.Combine("escape-" + names[0] + ".tar");
                using (var tar = new TarWriter(File.Create(archive)))
                {
                    tar.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, names[0]) { LinkName = canary });
                    tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, names[1]) { DataStream = new MemoryStream("escaped\n"u8.ToArray()) });
                }
                ExternalCommand.Run("sh", ["-c", "exec \"$0\" --root \"$1\" cp - cp-tar-escape:/in < \"$2\"", MiniRunCli.BinaryPath, Cli.StoreRoot, archive]);
                Assert.Empty(Directory.GetFileSystemEntries(canary));
            }
            Assert.Equal(canary + "\n", Cli.RunOk("exec", "cp-tar-escape", "readlink", "/in/out").Stdout); // the link itself is the container's
        }
        finally
        {
            Cli.Run("rm", "-f", "cp-tar-escape");
        }
    }

    [RootFact]
    public void Missing_IsAnErrorWithDockersStatus()
    {
        Cli.RunOk("run", "--name", "cp-missing", fixture.Image, "true");
        try
        {
            MiniRunCli.Result result = Cli.Run("cp", "cp-missing:/no/such", fixture.Scratch.Combine("x"));
            Assert.Equal(1, result.ExitCode);
            Assert.Contains("Could not find the file /no/such", result.Stderr);
        }
        finally
        {
            Cli.Run("rm", "-f", "cp-missing");
        }
    }
}
