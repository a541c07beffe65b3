using System.Text;
using System.Text.Json;
using MiniRun.Images;

namespace MiniRun.Tests.Images;

public class ImageConfigReaderTests
{
    // A Docker config with every field ImageConfig has, unknown ones at both levels, nulls and an empty layer.
    private const string DockerConfig = """
        {"architecture":"amd64","os":"linux","variant":null,"author":"me","created":"2024-05-01T10:20:30.123456789Z",
         "config":{"User":"1:2","Env":["A=1","PATH=/bin"],"Entrypoint":null,"Cmd":["sh","-c","echo hi"],"WorkingDir":"/w",
                   "Labels":{"a":"b","c":""},"StopSignal":"SIGTERM","ExposedPorts":{"80/tcp":{}},"OnBuild":null},
         "rootfs":{"type":"layers","diff_ids":["sha256:aa","sha256:bb"],"odd":1},
         "history":[{"created":"2024-05-01T10:20:30Z","created_by":"/bin/sh -c #(nop) ADD file","empty_layer":null},
                    {"created_by":"CMD [\"sh\"]","empty_layer":true,"comment":"c","author":"a","extra":[1]}],
         "moby.buildkit.buildinfo.v1":"e30=","container_config":{"Hostname":"x"}}
        """;

    [Theory]
    [InlineData(DockerConfig)]
    [InlineData("""{"rootfs":{"type":"layers","diff_ids":[]}}""")]
    [InlineData("""{}""")]
    [InlineData("""{"config":null,"history":null,"created":null}""")]
    public void Read_AnyConfig_SameAsTheGeneratedSerializer(string json)
    {
        ImageConfig expected = JsonSerializer.Deserialize(Utf8(json), ImagesJsonContext.Default.ImageConfig)!;

        ImageConfig actual = ImageJson.ParseConfig(Utf8(json), "config");

        // Written back through the same metadata: equal bytes mean equal fields, the unknown ones included.
        Assert.Equal(Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(expected, ImagesJsonContext.Default.ImageConfig)),
                     Encoding.UTF8.GetString(JsonSerializer.SerializeToUtf8Bytes(actual, ImagesJsonContext.Default.ImageConfig)));
    }

    [Theory]
    [InlineData("""{"config":{"Env":"A=1"}}""", "$.config.Env")]
    [InlineData("""{"config":{"Cmd":[1]}}""", "$.config.Cmd[0]")]
    [InlineData("""{"config":{"Cmd":[null]}}""", "$.config.Cmd[0]")]
    [InlineData("""{"rootfs":null}""", "$.rootfs")]
    [InlineData("""{"rootfs":{"diff_ids":null}}""", "$.rootfs.diff_ids")]
    [InlineData("""{"created":"yesterday"}""", "$.created")]
    [InlineData("""{"history":[null]}""", "$.history[0]")]
    [InlineData("""{"history":[{"empty_layer":"yes"}]}""", "$.history[0].empty_layer")]
    [InlineData("""{"os":"linux",}""", "config")]
    [InlineData("""[1]""", "$")]
    [InlineData("""{} {}""", "config")]
    [InlineData("""{"os":"linux"} x""", "config")]
    [InlineData("", "config")]
    public void Read_WrongKindOrSyntax_IsOneLineNamingTheField(string json, string named)
    {
        var e = Assert.Throws<InvalidInputException>(() => ImageJson.ParseConfig(Utf8(json), "archive \"x.tar\": config"));

        Assert.Contains("malformed JSON", e.Message);
        Assert.Contains(named, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Read_InvalidUtf8InAString_IsMalformedJson()
    {
        byte[] json = Utf8("""{"os":"lin_x","rootfs":{"type":"layers","diff_ids":[]}}""");
        json[10] = 0xA7; // a continuation byte alone: JsonDocument finds it only when the string is read

        var e = Assert.Throws<InvalidInputException>(() => ImageJson.ParseConfig(json, "config"));

        Assert.Contains("malformed JSON", e.Message);
    }

    [Fact]
    public void Read_Null_IsRefused()
    {
        var e = Assert.Throws<InvalidInputException>(() => ImageJson.ParseConfig(Utf8("null"), "config"));
        Assert.Contains("JSON null", e.Message);
    }

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);
}
