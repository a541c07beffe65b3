using System.Text.Json;
using MiniRun.Cli.Output;
using MiniRun.Cli.Output.Templates;

namespace MiniRun.Tests.Cli;

/// <summary>The --format engine against outputs and errors seen from Docker's CLI for the same documents.</summary>
public class GoTemplateTests
{
    private const string Inspect = """
        {"Id":"e1e0a9d3","State":{"Status":"running","Running":true,"Pid":23637,"Error":""},
         "Config":{"Image":"minibox","Cmd":["sleep","300"],"Labels":{"c":"d","a":"b"},"Env":[]},
         "GraphDriver":{"Data":{"UpperDir":"/u","LowerDir":"/l"},"Name":"overlay2"},"Mounts":[]}
        """;

    private static string Run(string template, string json = Inspect, string? rowType = null)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        return GoTemplate.Parse(template, rowType).Execute(document.RootElement);
    }

    private static TemplateException Fails(string template, string json = Inspect, string? rowType = null) =>
        Assert.Throws<TemplateException>(() => Run(template, json, rowType));

    [Theory]
    [InlineData("{{.State.Pid}} {{.Config.Image}} {{.Id}}", "23637 minibox e1e0a9d3")]
    [InlineData("{{json .Config.Cmd}}", "[\"sleep\",\"300\"]")]
    [InlineData("{{.Config.Image | json}}", "\"minibox\"")]
    [InlineData("{{.Config.Cmd}} {{.Mounts}} {{.State.Running}}", "[sleep 300] [] true")]
    [InlineData("{{.Config.Labels}}", "map[a:b c:d]")]
    [InlineData("{{.GraphDriver}}", "{map[LowerDir:/l UpperDir:/u] overlay2}")]
    [InlineData("{{.State}}", "{running true 23637 }")]
    [InlineData("{{index .Config.Labels \"a\"}}|{{index .Config.Labels \"zz\"}}|{{index .Config.Cmd 1}}", "b||300")]
    [InlineData("{{.Config.Labels.a}} {{.Config.Labels.zz}}", "b <no value>")]
    [InlineData("{{range .Config.Cmd}}[{{.}}]{{end}}", "[sleep][300]")]
    [InlineData("{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}}", "a=b;c=d;")]
    [InlineData("{{range .Config.Env}}x{{else}}none{{end}}", "none")]
    [InlineData("{{if .State.Running}}up{{else}}down{{end}} {{if .State.Error}}err{{end}}", "up ")]
    [InlineData("{{upper .Config.Image}} {{lower \"ABC\"}} {{len .Config.Cmd}} {{join .Config.Cmd \",\"}}", "MINIBOX abc 2 sleep,300")]
    [InlineData("{{range .Config.Cmd}}{{$.Id}}{{end}}", "e1e0a9d3e1e0a9d3")]
    [InlineData("a {{- \" b \" -}} c", "a b c")]
    [InlineData("plain text", "plain text")]
    public void Execute_DockerTemplates_GiveDockerOutput(string template, string expected) => Assert.Equal(expected, Run(template));

    [Fact]
    public void Execute_MissingField_SaysMapHasNoEntryAtItsColumn()
    {
        Assert.Equal("template: :1:2: executing \"\" at <.Nope>: map has no entry for key \"Nope\"", Fails("{{.Nope}}").Message);
        Assert.Equal("template: :1:8: executing \"\" at <.State.Nope>: map has no entry for key \"Nope\"", Fails("{{.State.Nope}}").Message);
        Assert.False(Fails("{{.Nope}}").Parsing);
    }

    [Fact]
    public void Execute_MissingFieldOfARow_SaysCannotEvaluateFieldInItsType()
    {
        TemplateException e = Fails("{{.ID}} {{.Nope}}", """{"ID":"x"}""", ContainerRow.GoType);
        Assert.Equal("template: :1:10: executing \"\" at <.Nope>: can't evaluate field Nope in type *formatter.ContainerContext", e.Message);
    }

    [Theory]
    [InlineData("{{.Nope", "template: :1: unclosed action")]
    [InlineData("{{foo .Name}}", "template: :1: function \"foo\" not defined")]
    [InlineData("{{range .Config.Cmd}}x", "template: :1: unexpected EOF")]
    [InlineData("x{{end}}", "template: :1: unexpected {{end}}")]
    public void Parse_BadTemplate_GivesGoParseError(string template, string expected)
    {
        TemplateException e = Assert.Throws<TemplateException>(() => GoTemplate.Parse(template));
        Assert.Equal(expected, e.Message);
        Assert.True(e.Parsing);
    }

    [Fact]
    public void Align_TabSeparatedCells_PadsAsDockersTabwriter()
    {
        // Min width 10, padding 3; the text after the last tab is not padded.
        Assert.Equal("CONTAINER ID   NAMES       y\nabc            fmtprobe2   y\n", TabColumns.Align("CONTAINER ID\tNAMES\ty\nabc\tfmtprobe2\ty\n"));
        Assert.Equal("a         b\n", TabColumns.Align("a\tb\n"));
    }

    [Fact]
    public void RowFormat_TableTemplate_PrintsDockersHeaderAndColumns()
    {
        using JsonDocument row = JsonDocument.Parse("""{"ID":"74bbebaff4cb","Names":"fmtprobe2","Status":"Created"}""");
        string output = RowFormat.Parse(@"table {{.ID}}\t{{.Names}}\t{{.Status}}", ContainerRow.DefaultTable, ContainerRow.GoType)
            .Render([row.RootElement], ContainerRow.Headers);
        Assert.Equal("CONTAINER ID   NAMES       STATUS\n74bbebaff4cb   fmtprobe2   Created\n", output);
    }

    [Fact]
    public void RowFormat_Json_IsOneObjectPerLine()
    {
        using JsonDocument row = JsonDocument.Parse("""{"ID":"a<b","Platform":null}""");
        // The CLI marshals a whole row with json.Marshal, which escapes < > & (docker images --format json: "\u003cnone\u003e").
        Assert.Equal("{\"ID\":\"a\\u003cb\",\"Platform\":null}\n", RowFormat.Parse("json", "", ContainerRow.GoType).Render([row.RootElement], ContainerRow.Headers));
    }
}
