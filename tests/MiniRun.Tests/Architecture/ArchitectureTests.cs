using Mono.Cecil;
using Mono.Cecil.Cil;

namespace MiniRun.Tests.Architecture;

/// <summary>
/// The direction of the tree, kept by a test (design.md): namespaces of the library never reach each other in a
/// circle; native imports live in MiniRun.Native only; only the CLI and the stages' entry points write to the console.
/// </summary>
public class ArchitectureTests
{
    private static string Library => typeof(MiniRun.Native.ISyscalls).Assembly.Location;

    [Fact]
    public void Library_Namespaces_HaveNoCycles()
    {
        DependencyGraph graph = DependencyGraph.Of(Library, "MiniRun");

        List<List<string>> cycles = graph.Cycles();

        Assert.True(cycles.Count == 0, "namespaces that reach each other:\n" + string.Join("\n", cycles.Select(c => Explain(graph, c))));
    }

    [Fact]
    public void CycleFinder_ACycleIntroduced_IsFound()
    {
        DependencyGraph graph = DependencyGraph.FromEdges(("A", "B"), ("B", "C"), ("C", "A"), ("C", "D"));

        List<string> cycle = Assert.Single(graph.Cycles());

        Assert.Equal(["A", "B", "C"], cycle.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void NativeImports_AreOnlyInMiniRunNative()
    {
        using AssemblyDefinition assembly = AssemblyDefinition.ReadAssembly(Library);

        List<string> outside = assembly.MainModule.GetTypes()
            .SelectMany(t => t.Methods.Where(m => m.IsPInvokeImpl).Select(m => (Type: t, Method: m)))
            .Where(x => DependencyGraph.NamespaceOf(x.Type) != "MiniRun.Native")
            .Select(x => $"{x.Type.FullName}.{x.Method.Name}").ToList();

        Assert.Empty(outside);
    }

    /// <summary>The stages' entry points print their one line before exiting (their stderr is the container's); the library's other code says nothing.</summary>
    private static readonly string[] EntryPoints =
        ["MiniRun.Sandbox.InitStage", "MiniRun.Sandbox.ExecStage", "MiniRun.Sandbox.ExecFailure", "MiniRun.Runtime.Lifecycle.ContainerSupervisor"];

    [Fact]
    public void Console_IsWrittenOnlyByTheCliAndTheStageEntryPoints()
    {
        using AssemblyDefinition assembly = AssemblyDefinition.ReadAssembly(Library);

        List<string> writers = assembly.MainModule.GetTypes()
            .Where(t => !EntryPoints.Contains(Outermost(t).FullName))
            .SelectMany(t => t.Methods.Where(m => m.HasBody).Select(m => (Type: t, Method: m)))
            .Where(x => x.Method.Body.Instructions.Any(i => i.Operand is MethodReference called && called.DeclaringType.FullName == "System.Console"))
            .Select(x => $"{Outermost(x.Type).FullName}.{x.Method.Name}").Distinct().ToList();

        Assert.Empty(writers);
    }

    private static TypeDefinition Outermost(TypeDefinition type)
    {
        while (type.DeclaringType is not null) type = type.DeclaringType;
        return type;
    }

    private static string Explain(DependencyGraph graph, List<string> cycle) =>
        "  " + string.Join(", ", cycle.Order(StringComparer.Ordinal)) + ":\n" + string.Join("\n",
            from a in cycle from b in cycle where graph.Edges[a].Contains(b) select $"    {a} -> {b} ({graph.Witnesses.GetValueOrDefault((a, b))})");
}
