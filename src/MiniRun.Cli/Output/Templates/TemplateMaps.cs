namespace MiniRun.Cli.Output.Templates;

/// <summary>
/// The fields of Docker's documents that are Go maps, not structs: a missing key there prints "&lt;no value&gt;"
/// where a missing struct field is an error, and `%v` prints them as `map[k:v]` in key order.
/// </summary>
public static class TemplateMaps
{
    private static readonly HashSet<string> Names =
        ["Labels", "Data", "Options", "DriverOpts", "ExposedPorts", "Volumes", "Ports", "Networks", "Annotations", "Sysctls", "StorageOpt"];

    public static bool IsMap(string fieldName) => Names.Contains(fieldName);
}
