using System.Diagnostics;
using MiniRun.Fixtures.Images;
using MiniRun.Images;

namespace MiniRun.Tests.Images;

/// <summary>Images written by skopeo (containers/image), not by our own fixture builder, load and unpack the same.</summary>
public sealed class SkopeoInteropTests
{
    public static TheoryData<string, string, string?> Conversions() => new()
    {
        // destination kind, extra skopeo flags, the name the OCI ref.name carries (a bare tag names nothing)
        { "oci", "", "docker.io/library/skopeo-test:1" },
        { "oci", "--dest-compress --dest-compress-format zstd", "docker.io/library/skopeo-test:1" },
        { "oci", "--dest-compress --dest-compress-format gzip", null },
        { "oci-archive", "--dest-compress --dest-compress-format gzip", "docker.io/library/skopeo-test:1" },
        { "oci-archive", "--dest-compress --dest-compress-format zstd", null },
    };

    [SkopeoTheory]
    [MemberData(nameof(Conversions))]
    public void Load_SkopeoOutput_LoadsWithTheSameLayers(string destination, string flags, string? refName)
    {
        using var store = new TestImageStore();
        var builder = new ImageArchiveBuilder()
            .AddLayer(LayerTar.Files(("etc/os-release", "ID=skopeo\n"), ("bin/tool", "tool\n")))
            .AddLayer(LayerTar.Whiteout("bin/tool"))
            .AddLayer(LayerTar.Files(("app/data.txt", "data\n")))
            .WithName("skopeo-test:1");
        string archive = store.Input("save.tar");
        builder.Write(ArchiveFormat.DockerSaveLegacy, archive);
        string output = store.Input(destination == "oci" ? "layout" : "layout.tar");

        var args = new List<string> { "--insecure-policy", "copy" };
        args.AddRange(flags.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        args.Add($"docker-archive:{archive}");
        args.Add($"{destination}:{output}:{refName ?? "1"}");
        RunSkopeo(args);

        string? tag = refName is null ? "from-skopeo:v1" : null;
        ImageRecord image = Assert.Single(store.Loader.Load(output, tag));

        Assert.Equal([refName ?? "docker.io/library/from-skopeo:v1"], image.Names);
        Assert.Equal(builder.DiffIds, image.DiffIds.Select(d => d.ToString()));
        Assert.Equal("ID=skopeo\n", File.ReadAllText(store.LayerFile(builder.DiffIds[0], "etc/os-release")));
        Assert.True(MiniRun.Native.Syscalls.LStat(store.LayerFile(builder.DiffIds[1], "bin/tool")).IsWhiteout);
        Assert.Equal("data\n", File.ReadAllText(store.LayerFile(builder.DiffIds[2], "app/data.txt")));
    }

    private static void RunSkopeo(List<string> args)
    {
        var psi = new ProcessStartInfo("skopeo") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args) psi.ArgumentList.Add(arg);
        using Process process = Process.Start(psi)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"skopeo {string.Join(' ', args)} failed: {stderr}{stdout.Result}");
    }
}
