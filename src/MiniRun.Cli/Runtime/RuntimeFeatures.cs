using System.Text.Json.Nodes;
using MiniRun.Native;
using MiniRun.Runtime.Spec;

namespace MiniRun.Cli.Runtime;

/// <summary>
/// `features`: what this runtime supports, in the runtime-spec's features.md document (runc 1.1.x's `features`), so
/// an engine can ask before it writes a config.json.
/// </summary>
internal static class RuntimeFeatures
{
    public static string Json()
    {
        var features = new JsonObject
        {
            ["ociVersionMin"] = "1.0.0",
            ["ociVersionMax"] = OciSpec.Version,
            ["hooks"] = new JsonArray(), // not yet: refused by name where config.json has them
            ["mountOptions"] = Strings("atime", "bind", "defaults", "dev", "exec", "noatime", "nodev", "noexec", "norelatime",
                "nostrictatime", "nosuid", "private", "rbind", "relatime", "remount", "ro", "rprivate", "rshared", "rslave", "rw",
                "shared", "slave", "strictatime", "suid"),
            ["linux"] = new JsonObject
            {
                ["namespaces"] = Strings("cgroup", "ipc", "mount", "network", "pid", "uts"),
                ["capabilities"] = Strings([.. CapabilityNames.All.Select(name => "CAP_" + name)]),
                ["cgroup"] = new JsonObject { ["v1"] = true, ["v2"] = true, ["systemd"] = false, ["systemdUser"] = false },
                ["seccomp"] = new JsonObject
                {
                    ["enabled"] = true,
                    ["actions"] = Strings("SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
                        "SCMP_ACT_LOG", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP"),
                    ["operators"] = Strings("SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE", "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE"),
                    ["archs"] = Strings("SCMP_ARCH_AARCH64", "SCMP_ARCH_X86_64"),
                },
                ["apparmor"] = new JsonObject { ["enabled"] = false },
                ["selinux"] = new JsonObject { ["enabled"] = false },
            },
        };
        return features.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
    }

    private static JsonArray Strings(params string[] values) => new([.. values.Select(v => (JsonNode?)JsonValue.Create(v))]);
}
