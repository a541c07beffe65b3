using MiniRun.Native;

namespace MiniRun.Runtime.Spec;

/// <summary>
/// A config.json mount's options as mount(2) takes them: the flag words ("nosuid", "ro", "rbind", "rslave") become
/// MS_* flags, the rest is the filesystem's data string ("mode=755,size=65536k"), as runc's specconv parses them.
/// </summary>
public static class MountOptions
{
    public static (MountFlags Flags, string? Data) Parse(IReadOnlyList<string>? options)
    {
        MountFlags flags = MountFlags.None;
        string? data = null;
        if (options is null) return (flags, data);
        foreach (string option in options)
        {
            switch (option)
            {
                case "defaults": break;
                case "ro": flags |= MountFlags.ReadOnly; break;
                case "rw": flags &= ~MountFlags.ReadOnly; break;
                case "nosuid": flags |= MountFlags.NoSuid; break;
                case "suid": flags &= ~MountFlags.NoSuid; break;
                case "nodev": flags |= MountFlags.NoDev; break;
                case "dev": flags &= ~MountFlags.NoDev; break;
                case "noexec": flags |= MountFlags.NoExec; break;
                case "exec": flags &= ~MountFlags.NoExec; break;
                case "noatime": flags |= MountFlags.NoAtime; break;
                case "atime": flags &= ~MountFlags.NoAtime; break;
                case "relatime": flags |= MountFlags.RelAtime; break;
                case "norelatime": flags &= ~MountFlags.RelAtime; break;
                case "strictatime": flags |= MountFlags.StrictAtime; break;
                case "nostrictatime": flags &= ~MountFlags.StrictAtime; break;
                case "remount": flags |= MountFlags.Remount; break;
                case "bind": flags |= MountFlags.Bind; break;
                case "rbind": flags |= MountFlags.Bind | MountFlags.Recursive; break;
                case "private": flags |= MountFlags.Private; break;
                case "rprivate": flags |= MountFlags.Private | MountFlags.Recursive; break;
                case "slave": flags |= MountFlags.Slave; break;
                case "rslave": flags |= MountFlags.Slave | MountFlags.Recursive; break;
                case "shared": flags |= MountFlags.Shared; break;
                case "rshared": flags |= MountFlags.Shared | MountFlags.Recursive; break;
                case "unbindable": flags |= MountFlags.Unbindable; break;
                case "runbindable": flags |= MountFlags.Unbindable | MountFlags.Recursive; break;
                case "sync" or "async" or "dirsync" or "mand" or "nomand" or "diratime" or "nodiratime":
                    throw new MiniRunException($"mount option \"{option}\" is not supported by minirun yet; leave it out of the mount's options");
                default: data = data is null ? option : data + "," + option; break;
            }
        }
        return (flags, data);
    }
}
