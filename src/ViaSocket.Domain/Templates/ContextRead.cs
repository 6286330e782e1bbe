using Acornima;

namespace ViaSocket.Domain.Templates;

/// <summary>
/// One place a template reads <c>context</c> (see <see cref="TemplateReads"/>).
/// </summary>
/// <param name="Path">The member path written out; no segments for <c>context</c> itself.</param>
/// <param name="IndexedDynamically">True when the value at <paramref name="Path"/> is then indexed by a computed key
/// (<c>context.authData[name]</c>), so which member is read is only known when the template renders.</param>
internal readonly record struct ContextRead(MemberPath Path, bool IndexedDynamically);

/// <summary>What a parsed template's expressions read, for validation rules (parsed again: only validation asks).</summary>
internal static class TemplateReads
{
    private static readonly ParserOptions ExpressionParserOptions = new();

    /// <summary>Every read of <c>context</c> in <paramref name="template"/>, and whether it uses <c>this</c>.</summary>
    public static (IReadOnlyList<ContextRead> Reads, bool ReadsThis) Of(Template template)
    {
        ArgumentNullException.ThrowIfNull(template);
        var rawParts = new List<TemplateScanner.RawPart>();
        TemplateScanner.Scan(template.Source, rawParts);
        var parser = new Parser(ExpressionParserOptions);
        var reads = new List<ContextRead>();
        var readsThis = false;
        foreach (var expression in rawParts.Select(part => part.Expression).OfType<string>())
        {
            // The template parsed, so every expression does.
            var ast = parser.ParseExpression(expression);
            reads.AddRange(ExpressionAnalyzer.ContextReads(ast));
            readsThis |= ExpressionAnalyzer.ReadsThis(ast);
        }

        return (reads, readsThis);
    }
}
