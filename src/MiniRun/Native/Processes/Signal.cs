using System.Globalization;
using System.Runtime.InteropServices;

namespace MiniRun.Native;

/// <summary>Linux signal numbers, by name (signal(7); the same on x86-64 and arm64). Real-time ones (34–64) have no name here.</summary>
public enum Signal
{
    None = 0, // "no signal": PR_SET_PDEATHSIG 0 clears it
    Hup = 1, Int = 2, Quit = 3, Ill = 4, Trap = 5, Abrt = 6, Bus = 7, Fpe = 8, Kill = 9, Usr1 = 10, Segv = 11, Usr2 = 12,
    Pipe = 13, Alrm = 14, Term = 15, Stkflt = 16, Chld = 17, Cont = 18, Stop = 19, Tstp = 20, Ttin = 21, Ttou = 22,
    Urg = 23, Xcpu = 24, Xfsz = 25, Vtalrm = 26, Prof = 27, Winch = 28, Io = 29, Pwr = 30, Sys = 31,
}

/// <summary>Signals from text, as `docker kill -s` takes them (KILL, SIGKILL or 9), and from .NET's <see cref="PosixSignal"/>.</summary>
public static class Signals
{
    private static readonly Dictionary<string, Signal> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        ["HUP"] = Signal.Hup, ["INT"] = Signal.Int, ["QUIT"] = Signal.Quit, ["ILL"] = Signal.Ill, ["TRAP"] = Signal.Trap,
        ["ABRT"] = Signal.Abrt, ["BUS"] = Signal.Bus, ["FPE"] = Signal.Fpe, ["KILL"] = Signal.Kill, ["USR1"] = Signal.Usr1,
        ["SEGV"] = Signal.Segv, ["USR2"] = Signal.Usr2, ["PIPE"] = Signal.Pipe, ["ALRM"] = Signal.Alrm, ["TERM"] = Signal.Term,
        ["STKFLT"] = Signal.Stkflt, ["CHLD"] = Signal.Chld, ["CONT"] = Signal.Cont, ["STOP"] = Signal.Stop, ["TSTP"] = Signal.Tstp,
        ["TTIN"] = Signal.Ttin, ["TTOU"] = Signal.Ttou, ["URG"] = Signal.Urg, ["XCPU"] = Signal.Xcpu, ["XFSZ"] = Signal.Xfsz,
        ["VTALRM"] = Signal.Vtalrm, ["PROF"] = Signal.Prof, ["WINCH"] = Signal.Winch, ["IO"] = Signal.Io, ["PWR"] = Signal.Pwr,
        ["SYS"] = Signal.Sys,
    };

    /// <summary>A name (KILL, SIGKILL, any case) or a number from 1 to 64.</summary>
    public static Signal Parse(string text)
    {
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int number) && number is > 0 and < 65) return (Signal)number;
        string name = text.StartsWith("SIG", StringComparison.OrdinalIgnoreCase) ? text[3..] : text;
        if (Names.TryGetValue(name, out Signal signal)) return signal;
        return Realtime(name) ?? throw new MiniRunException($"invalid signal: {text}");
    }

    /// <summary>RTMIN, RTMIN+N, RTMAX-N, RTMAX (systemd images stop with SIGRTMIN+3): glibc's SIGRTMIN is 34, SIGRTMAX 64, as in moby's table.</summary>
    private static Signal? Realtime(string name)
    {
        bool min = name.StartsWith("RTMIN", StringComparison.OrdinalIgnoreCase), max = name.StartsWith("RTMAX", StringComparison.OrdinalIgnoreCase);
        if (!min && !max) return null;
        string rest = name[5..];
        int offset = rest.Length == 0 ? 0
            : rest[0] == (min ? '+' : '-') && int.TryParse(rest[1..], NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n : -1;
        int number = min ? 34 + offset : 64 - offset;
        return offset >= 0 && number is >= 34 and <= 64 ? (Signal)number : null;
    }

    /// <summary>SIGINT, SIGKILL…: as kill -l names it; a signal without a name here, SIG and its number.</summary>
    public static string Name(Signal signal) =>
        "SIG" + (Names.FirstOrDefault(n => n.Value == signal).Key ?? ((int)signal).ToString(CultureInfo.InvariantCulture));

    /// <summary>The Linux number of a signal .NET lets us handle (its PosixSignal values are its own, negative).</summary>
    public static Signal Of(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGHUP => Signal.Hup,
        PosixSignal.SIGINT => Signal.Int,
        PosixSignal.SIGQUIT => Signal.Quit,
        PosixSignal.SIGTERM => Signal.Term,
        PosixSignal.SIGCHLD => Signal.Chld,
        PosixSignal.SIGCONT => Signal.Cont,
        PosixSignal.SIGWINCH => Signal.Winch,
        PosixSignal.SIGTTIN => Signal.Ttin,
        PosixSignal.SIGTTOU => Signal.Ttou,
        PosixSignal.SIGTSTP => Signal.Tstp,
        _ => (Signal)(int)signal, // a raw number given to PosixSignalRegistration
    };
}
