using System.Diagnostics;
using MiniRun.Native;

namespace MiniRun.Tests.Layers;

/// <summary>What the layer tests compare: a tree as `find -printf` shows it, plus every xattr in hex (find cannot show those).</summary>
internal static class TreeSnapshot
{
    /// <summary>One sorted line per entry: path, type, mode, owner, size (files only), link count, link target, mtime, rdev.</summary>
    public static string Find(string root, bool withTimes = true)
    {
        string format = "%P %y %m %U:%G %s %n %l" + (withTimes ? " %T@" : "") + "\\n";
        var psi = new ProcessStartInfo("find", [root, "-mindepth", "1", "-printf", format]) { RedirectStandardOutput = true };
        using var find = Process.Start(psi)!;
        string output = find.StandardOutput.ReadToEnd();
        find.WaitForExit();
        Assert.Equal(0, find.ExitCode);
        // Directory sizes depend on the filesystem's history, not on the archive: blank them.
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l =>
        {
            string[] f = l.Split(' ');
            if (f[1] == "d") f[4] = "-";
            string path = Path.Combine(root, f[0]);
            FileStatus st = Syscalls.LStat(path);
            return string.Join(' ', f) + (st.Type is Syscalls.S_IFCHR or Syscalls.S_IFBLK ? $" dev={st.RdevMajor},{st.RdevMinor}" : "");
        });
        return string.Join('\n', lines.Order(StringComparer.Ordinal));
    }

    /// <summary>Every path under <paramref name="root"/> except <paramref name="excluded"/>'s content, with xattr names (find never follows symlinks).</summary>
    public static string Outside(string root, string excluded)
    {
        var psi = new ProcessStartInfo("find", [root, "-path", excluded, "-prune", "-o", "-printf", "%p %y %m %s %n %l %T@\\n"]) { RedirectStandardOutput = true };
        using var find = Process.Start(psi)!;
        string output = find.StandardOutput.ReadToEnd();
        find.WaitForExit();
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l + " " + string.Join(',', Syscalls.ListXattrs(l.Split(' ')[0])));
        return string.Join('\n', lines.Order(StringComparer.Ordinal));
    }

    /// <summary>Xattrs of every entry, listed with find so that symlinks are never followed.</summary>
    public static string Xattrs(string root)
    {
        var psi = new ProcessStartInfo("find", [root, "-mindepth", "1", "-printf", "%P\\n"]) { RedirectStandardOutput = true };
        using var find = Process.Start(psi)!;
        string output = find.StandardOutput.ReadToEnd();
        find.WaitForExit();
        var lines = new List<string>();
        foreach (string relative in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            string path = Path.Combine(root, relative);
            foreach (string name in Syscalls.ListXattrs(path).Order(StringComparer.Ordinal))
                lines.Add($"{relative} {name}={Convert.ToHexString(Syscalls.GetXattr(path, name)!)}");
        }
        return string.Join('\n', lines.Order(StringComparer.Ordinal));
    }

    public static int Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardError = true };
        using var process = Process.Start(psi)!;
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)}: {stderr}");
        return process.ExitCode;
    }
}
