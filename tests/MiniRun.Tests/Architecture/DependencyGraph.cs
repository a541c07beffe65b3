using Mono.Cecil;
using Mono.Cecil.Cil;

namespace MiniRun.Tests.Architecture;

/// <summary>
/// Which namespace of an assembly uses which, read from its compiled code with Mono.Cecil: base types, interfaces,
/// fields, signatures, attributes and every type, method and field a method body names. A nested or compiler-made type
/// (a lambda's closure, an iterator) counts as its outermost declaring type's namespace.
/// </summary>
public sealed class DependencyGraph
{
    private readonly Dictionary<string, HashSet<string>> _edges = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, HashSet<string>> Edges => _edges;

    /// <summary>Each edge's first witness: "Type uses Type", for the failure message.</summary>
    public Dictionary<(string From, string To), string> Witnesses { get; } = [];

    public static DependencyGraph Of(string assemblyPath, string namespacePrefix)
    {
        var graph = new DependencyGraph();
        using AssemblyDefinition assembly = AssemblyDefinition.ReadAssembly(assemblyPath);
        foreach (TypeDefinition type in assembly.MainModule.GetTypes())
        {
            string from = NamespaceOf(type);
            if (!from.StartsWith(namespacePrefix, StringComparison.Ordinal)) continue;
            graph._edges.TryAdd(from, []);
            foreach (TypeReference used in Uses(type))
            {
                string to = NamespaceOf(used);
                if (to == from || !to.StartsWith(namespacePrefix, StringComparison.Ordinal) || used.Scope.Name != assembly.MainModule.Name && used.Scope is not ModuleDefinition) continue;
                if (graph._edges[from].Add(to)) graph.Witnesses[(from, to)] = $"{type.FullName} uses {used.FullName}";
            }
        }
        return graph;
    }

    /// <summary>The namespaces that reach each other (Tarjan's strongly connected components of more than one).</summary>
    public List<List<string>> Cycles()
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var cycles = new List<List<string>>();
        int next = 0;
        void Visit(string node)
        {
            index[node] = low[node] = next++;
            stack.Push(node);
            onStack.Add(node);
            foreach (string to in _edges.GetValueOrDefault(node) ?? [])
            {
                if (!index.ContainsKey(to)) { Visit(to); low[node] = Math.Min(low[node], low[to]); }
                else if (onStack.Contains(to)) low[node] = Math.Min(low[node], index[to]);
            }
            if (low[node] != index[node]) return;
            var component = new List<string>();
            string member;
            do { member = stack.Pop(); onStack.Remove(member); component.Add(member); } while (member != node);
            if (component.Count > 1) cycles.Add(component);
        }
        foreach (string node in _edges.Keys.Order(StringComparer.Ordinal)) if (!index.ContainsKey(node)) Visit(node);
        return cycles;
    }

    /// <summary>A graph from edges given by hand (the test of the cycle finder itself).</summary>
    public static DependencyGraph FromEdges(params (string From, string To)[] edges)
    {
        var graph = new DependencyGraph();
        foreach ((string from, string to) in edges)
        {
            graph._edges.TryAdd(from, []);
            graph._edges.TryAdd(to, []);
            graph._edges[from].Add(to);
        }
        return graph;
    }

    public static string NamespaceOf(TypeReference type)
    {
        while (type is TypeSpecification specification) type = specification.ElementType;
        while (type.DeclaringType is not null) type = type.DeclaringType;
        return type.Namespace;
    }

    private static IEnumerable<TypeReference> Uses(TypeDefinition type)
    {
        if (type.BaseType is not null) foreach (TypeReference t in Expand(type.BaseType)) yield return t;
        foreach (InterfaceImplementation i in type.Interfaces) foreach (TypeReference t in Expand(i.InterfaceType)) yield return t;
        foreach (CustomAttribute a in type.CustomAttributes) yield return a.AttributeType;
        foreach (FieldDefinition field in type.Fields) foreach (TypeReference t in Expand(field.FieldType)) yield return t;
        foreach (PropertyDefinition property in type.Properties) foreach (TypeReference t in Expand(property.PropertyType)) yield return t;
        foreach (MethodDefinition method in type.Methods)
        {
            foreach (TypeReference t in Expand(method.ReturnType)) yield return t;
            foreach (ParameterDefinition p in method.Parameters) foreach (TypeReference t in Expand(p.ParameterType)) yield return t;
            if (!method.HasBody) continue;
            foreach (VariableDefinition v in method.Body.Variables) foreach (TypeReference t in Expand(v.VariableType)) yield return t;
            foreach (Instruction instruction in method.Body.Instructions)
                switch (instruction.Operand)
                {
                    case TypeReference t:
                        foreach (TypeReference e in Expand(t)) yield return e;
                        break;
                    case MethodReference m:
                        foreach (TypeReference e in Expand(m.DeclaringType)) yield return e;
                        foreach (TypeReference e in Expand(m.ReturnType)) yield return e;
                        if (m is GenericInstanceMethod g) foreach (TypeReference a in g.GenericArguments) foreach (TypeReference e in Expand(a)) yield return e;
                        break;
                    case FieldReference f:
                        foreach (TypeReference e in Expand(f.DeclaringType)) yield return e;
                        foreach (TypeReference e in Expand(f.FieldType)) yield return e;
                        break;
                }
        }
    }

    /// <summary>A type and, for List&lt;Container&gt; or Container[], the types inside it.</summary>
    private static IEnumerable<TypeReference> Expand(TypeReference type)
    {
        if (type is GenericParameter) yield break;
        if (type is GenericInstanceType generic)
        {
            yield return generic.ElementType;
            foreach (TypeReference argument in generic.GenericArguments) foreach (TypeReference t in Expand(argument)) yield return t;
            yield break;
        }
        if (type is TypeSpecification specification) { foreach (TypeReference t in Expand(specification.ElementType)) yield return t; yield break; }
        yield return type;
    }
}
