using MiniRun.Containers;

namespace MiniRun.Runtime.Spec;

/// <summary>
/// `minirun runtime spec`: the config.json a new bundle starts from, as `runc spec` writes one, here with Docker's
/// defaults (the spec `run` itself generates): `sh` in the bundle's rootfs/, as root, Docker's capabilities, mounts,
/// masked paths and seccomp profile.
/// </summary>
public static class BundleSpec
{
    public const string RootfsDirectory = "rootfs";

    public static OciSpec Default(SpecHost host)
    {
        var record = new ContainerRecord
        {
            Id = "",
            Name = "",
            Created = default,
            ImageId = "",
            ImageName = "",
            Args = ["sh"],
            Env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
            WorkingDir = "/",
            Hostname = "minirun",
            Layers = [],
        };
        OciSpec spec = SpecGenerator.Generate(record, ContainerUser.Root, host, RootfsDirectory, withSeccomp: true);
        if (spec.Linux is { } linux) linux.CgroupsPath = null; // the engine names it; a bundle made by hand has none
        return spec;
    }
}
