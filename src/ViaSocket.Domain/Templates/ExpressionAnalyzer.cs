using System.Globalization;
using System.Text.Json.Nodes;
using Acornima;
using Acornima.Ast;

namespace ViaSocket.Domain.Templates;

/// <summary>Parses one <c>${...}</c> expression with Acornima and decides how it is evaluated.</summary>
internal static class ExpressionAnalyzer
{
    public static TemplateExpression Classify(Expression expression, string source)
    {
        var unwrapped = Unwrap(expression);
        if (TryGetContextPath(unwrapped, out var path))
        {
            return new PathExpression(source, path);
        }

        if (unwrapped is LogicalExpression { Operator: Operator.NullishCoalescing or Operator.LogicalOr } logical
            && TryGetContextPath(Unwrap(logical.Left), out var defaulted)
            && TryGetConstant(logical.Right, out var fallback))
        {
            return new DefaultedPathExpression(source, defaulted, fallback, logical.Operator == Operator.NullishCoalescing);
        }

        return TryGetConstant(unwrapped, out var constant)
            ? new ConstantExpression(source, constant)
            : new ScriptExpression(source);
    }

    /// <summary>Identifiers the expression reads that it does not declare itself (function parameters, variables).</summary>
    public static IReadOnlyList<string> FreeIdentifiers(Node expression)
    {
        var declared = new HashSet<string>(StringComparer.Ordinal);
        CollectDeclarations(expression, declared);
        var free = new List<string>();
        CollectReferences(expression, declared, free, paths: null);
        return free;
    }

    /// <summary>Member paths rooted at <c>context</c> that the expression reads.</summary>
    public static IReadOnlyList<MemberPath> ContextPaths(Node expression)
    {
        var paths = new List<MemberPath>();
        CollectReferences(expression, new HashSet<string>(StringComparer.Ordinal), free: null, paths);
        return paths;
    }

    /// <summary>
    /// Every read of <c>context</c> in the expression: the longest member path that is written out (dots, string or
    /// integer brackets), and whether the value there is then indexed by a computed key. <c>context</c> passed, spread
    /// or aliased as a whole is a read with no segments.
    /// </summary>
    public static IReadOnlyList<ContextRead> ContextReads(Node expression)
    {
        var reads = new List<ContextRead>();
        CollectContextReads(expression, reads);
        return reads;
    }

    /// <summary>True when the expression uses <c>this</c>, whose value the caller of the function decides.</summary>
    public static bool ReadsThis(Node expression) => expression.DescendantNodesAndSelf().OfType<ThisExpression>().Any();

    private static void CollectContextReads(Node node, List<ContextRead> reads)
    {
        switch (node)
        {
            case Identifier { Name: TemplateRoots.Context }:
                reads.Add(new ContextRead(new MemberPath([]), IndexedDynamically: false));
                return;
            case MemberExpression or ChainExpression when TryGetContextPath(node, out var path):
                reads.Add(new ContextRead(path, IndexedDynamically: false));
                return;
            case MemberExpression { Computed: true } member when TryGetContextPath(member.Object, out var indexed):
                reads.Add(new ContextRead(indexed, IndexedDynamically: true));
                CollectContextReads(member.Property, reads);
                return;
            case MemberExpression { Computed: false } member:
                // A non-computed property name (x.context) is not a reference.
                CollectContextReads(member.Object, reads);
                return;
            case Property { Computed: false } property:
                // Nor is an object literal's key ({ context: 1 }); a shorthand ({ context }) is its value.
                CollectContextReads(property.Value, reads);
                return;
        }

        foreach (var child in node.ChildNodes)
        {
            CollectContextReads(child, reads);
        }
    }

    private static Node Unwrap(Node node) => node is ChainExpression chain ? chain.Expression : node;

    private static bool TryGetContextPath(Node node, out MemberPath path)
    {
        var segments = new List<PathSegment>();
        var current = Unwrap(node);
        while (current is MemberExpression member)
        {
            if (!TryGetSegment(member, out var segment))
            {
                path = null!;
                return false;
            }

            segments.Add(segment);
            current = Unwrap(member.Object);
        }

        if (current is Identifier { Name: TemplateRoots.Context })
        {
            segments.Reverse();
            path = new MemberPath(segments);
            return true;
        }

        path = null!;
        return false;
    }

    private static bool TryGetSegment(MemberExpression member, out PathSegment segment)
    {
        switch (member)
        {
            case { Computed: false, Property: Identifier identifier }:
                segment = PathSegment.Property(identifier.Name);
                return true;
            case { Computed: true, Property: StringLiteral literal }:
                segment = PathSegment.Property(literal.Value);
                return true;
            case { Computed: true, Property: NumericLiteral number } when number.Value is >= 0 and <= int.MaxValue
                && number.Value == Math.Floor(number.Value):
                segment = PathSegment.Property(((int)number.Value).ToString(CultureInfo.InvariantCulture));
                return true;
            default:
                segment = default;
                return false;
        }
    }

    private static bool TryGetConstant(Node node, out JsonNode value)
    {
        value = node switch
        {
            StringLiteral s => JsonValue.Create(s.Value),
            NumericLiteral n when double.IsFinite(n.Value) => JsonValue.Create(n.Value),
            BooleanLiteral b => JsonValue.Create(b.Value is true),
            _ => null!,
        };
        return value is not null;
    }

    private static void CollectDeclarations(Node node, HashSet<string> declared)
    {
        switch (node)
        {
            case IFunction function:
                if (function.Id is { } id)
                {
                    declared.Add(id.Name);
                }

                foreach (var parameter in function.Params)
                {
                    CollectBindingNames(parameter, declared);
                }

                break;
            case VariableDeclarator declarator:
                CollectBindingNames(declarator.Id, declared);
                break;
            case CatchClause { Param: { } param }:
                CollectBindingNames(param, declared);
                break;
        }

        foreach (var child in node.ChildNodes)
        {
            CollectDeclarations(child, declared);
        }
    }

    private static void CollectBindingNames(Node pattern, HashSet<string> declared)
    {
        switch (pattern)
        {
            case Identifier identifier:
                declared.Add(identifier.Name);
                return;
            case AssignmentPattern assignment:
                CollectBindingNames(assignment.Left, declared);
                return;
            case ObjectProperty property:
                CollectBindingNames(property.Value, declared);
                return;
        }

        foreach (var child in pattern.ChildNodes)
        {
            CollectBindingNames(child, declared);
        }
    }

    private static void CollectReferences(Node node, HashSet<string> declared, List<string>? free, List<MemberPath>? paths)
    {
        switch (node)
        {
            case Identifier identifier:
                if (!declared.Contains(identifier.Name) && free is not null && !free.Contains(identifier.Name))
                {
                    free.Add(identifier.Name);
                }

                return;
            case MemberExpression or ChainExpression when paths is not null && TryGetContextPath(node, out var path):
                paths.Add(path);

                return;
            case CallExpression { Callee: MemberExpression { Computed: false } method } call:
                // context.scopes.split(' ') reads context.scopes; the method name is not data.
                CollectReferences(method.Object, declared, free, paths);
                foreach (var argument in call.Arguments)
                {
                    CollectReferences(argument, declared, free, paths);
                }

                return;
            case MemberExpression { Computed: false } member:
                // A non-computed property name is not a reference.
                CollectReferences(member.Object, declared, free, paths);
                return;
            case Property { Computed: false, Shorthand: false } property:
                CollectReferences(property.Value, declared, free, paths);
                return;
        }

        foreach (var child in node.ChildNodes)
        {
            CollectReferences(child, declared, free, paths);
        }
    }
}
