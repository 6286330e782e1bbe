using System.Buffers;
using System.Text.Json.Nodes;
using Acornima;

namespace ViaSocket.Domain.Templates;

/// <summary>
/// A parsed template string: literal text and <c>${...}</c> expressions with JavaScript template-literal
/// meaning over a <c>context</c> object (SPEC section 3). Parse once, render many times.
/// </summary>
/// <remarks>
/// <para>Escapes: <c>\${</c> is a literal <c>${</c>; a <c>$</c> not followed by <c>{</c> and any other
/// backslash are literal text.</para>
/// <para>Member paths below <c>context</c> (dots, optional chaining, bracket access with string or integer
/// literals) are read straight from the JSON tree, as are literals and <c>path ?? 'literal'</c> /
/// <c>path || 'literal'</c>. Any other expression is handed to an <see cref="IScriptExpressionEvaluator"/>.</para>
/// <para>Missing values: a value that is missing (undefined) or JSON null, at any step, is an error
/// (<see cref="TemplateRenderException"/> naming the path), whether or not optional chaining is used:
/// <c>undefined</c> or <c>null</c> is never sent to a provider. Optional chaining only documents intent;
/// to tolerate an absent value, give a literal default: <c>${context.authData?.region ?? 'us'}</c>.</para>
/// </remarks>
public sealed class Template
{
    private static readonly ParserOptions ExpressionParserOptions = new();

    private readonly TemplatePart[] parts;

    private Template(string source, TemplatePart[] parts, List<MemberPath> contextPaths, IReadOnlyList<string> freeIdentifiers)
    {
        Source = source;
        this.parts = parts;
        ReferencedPaths = contextPaths.Select(path => path.Text).Distinct(StringComparer.Ordinal).ToArray();
        ContextMembersRead = contextPaths.Select(path => path.ContextMember).OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
        FreeIdentifiers = freeIdentifiers;
        NeedsScriptEvaluator = parts.Any(part => part.Expression?.NeedsScriptEvaluator == true);
        IsSingleExpression = parts is [{ Expression: not null }];
    }

    public string Source { get; }

    /// <summary>Member paths below <c>context</c> the template reads, normalized (e.g. <c>context.authData["x-y"]</c>).</summary>
    public IReadOnlyList<string> ReferencedPaths { get; }

    /// <summary>True when some expression is not a plain path and needs an <see cref="IScriptExpressionEvaluator"/>.</summary>
    public bool NeedsScriptEvaluator { get; }

    /// <summary>True when the whole template is one <c>${expr}</c>, so <see cref="RenderValue"/> keeps the value's JSON type.</summary>
    public bool IsSingleExpression { get; }

    /// <summary>True when the template has no expression at all.</summary>
    public bool IsLiteral => parts.All(part => part.Expression is null);

    /// <summary>Identifiers read by the template's expressions that they do not declare (for validation).</summary>
    internal IReadOnlyList<string> FreeIdentifiers { get; }

    /// <summary>Members of <c>context</c> the template reads (e.g. <c>authData</c>), for validation.</summary>
    internal IReadOnlyList<string> ContextMembersRead { get; }

    /// <summary>Parses <paramref name="source"/>; throws <see cref="TemplateSyntaxException"/> with the position of the error.</summary>
    public static Template Parse(string source) =>
        TryParse(source, out var template, out var error) ? template! : throw new TemplateSyntaxException(error!);

    public static bool TryParse(string source, out Template? template, out TemplateSyntaxError? error)
    {
        ArgumentNullException.ThrowIfNull(source);
        template = null;
        var rawParts = new List<TemplateScanner.RawPart>();
        error = TemplateScanner.Scan(source, rawParts);
        if (error is not null)
        {
            return false;
        }

        var parser = new Parser(ExpressionParserOptions);
        var parts = new TemplatePart[rawParts.Count];
        var contextPaths = new List<MemberPath>();
        var freeIdentifiers = new List<string>();
        for (var i = 0; i < rawParts.Count; i++)
        {
            var raw = rawParts[i];
            if (raw.Expression is null)
            {
                parts[i] = new TemplatePart(raw.Literal, null);
                continue;
            }

            if (string.IsNullOrWhiteSpace(raw.Expression))
            {
                error = new TemplateSyntaxError(raw.Position - 2, "Empty expression '${}'.");
                return false;
            }

            Acornima.Ast.Expression ast;
            try
            {
                ast = parser.ParseExpression(raw.Expression);
            }
            catch (ParseErrorException exception)
            {
                var offset = exception.Error.IsIndexDefined ? exception.Error.Index : 0;
                error = new TemplateSyntaxError(raw.Position + offset, exception.Description);
                return false;
            }

            parts[i] = new TemplatePart(null, ExpressionAnalyzer.Classify(ast, raw.Expression.Trim()));
            contextPaths.AddRange(ExpressionAnalyzer.ContextPaths(ast));
            AddDistinct(freeIdentifiers, ExpressionAnalyzer.FreeIdentifiers(ast));
        }

        template = new Template(source, parts, contextPaths, freeIdentifiers);
        return true;
    }

    /// <summary>Renders the template as text. Throws <see cref="TemplateRenderException"/> for a missing value.</summary>
    public string Render(JsonObject context, IScriptExpressionEvaluator? evaluator = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        switch (parts.Length)
        {
            case 0:
                return "";
            case 1:
                return parts[0].Render(context, evaluator);
            case 2:
                return string.Concat(parts[0].Render(context, evaluator), parts[1].Render(context, evaluator));
            case 3:
                return string.Concat(
                    parts[0].Render(context, evaluator), parts[1].Render(context, evaluator), parts[2].Render(context, evaluator));
            default:
                var texts = ArrayPool<string>.Shared.Rent(parts.Length);
                try
                {
                    for (var i = 0; i < parts.Length; i++)
                    {
                        texts[i] = parts[i].Render(context, evaluator);
                    }

                    return string.Concat(texts.AsSpan(0, parts.Length)!);
                }
                finally
                {
                    ArrayPool<string>.Shared.Return(texts, clearArray: true);
                }
        }
    }

    /// <summary>
    /// Renders the template as a JSON value: when the whole template is one <c>${expr}</c> the value keeps its
    /// type (number, object, ...) and is a copy detached from <paramref name="context"/>; otherwise a string.
    /// </summary>
    public JsonNode RenderValue(JsonObject context, IScriptExpressionEvaluator? evaluator = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (IsSingleExpression)
        {
            var value = parts[0].Expression!.Evaluate(context, evaluator);
            // A script result is already a fresh node; anything else belongs to the context or is a shared constant.
            return parts[0].Expression is ScriptExpression && value.Parent is null ? value : value.DeepClone();
        }

        return JsonValue.Create(Render(context, evaluator));
    }

    /// <summary>The template with every expression replaced by <paramref name="placeholder"/>, to check its static shape (e.g. a URL).</summary>
    internal string WithPlaceholders(string placeholder) =>
        string.Concat(parts.Select(part => part.Literal ?? placeholder));

    public override string ToString() => Source;

    // Part by part access for UrlTemplate, which encodes each expression for the URL component it lands in.
    internal int PartCount => parts.Length;

    internal string? LiteralAt(int index) => parts[index].Literal;

    internal string ExpressionSourceAt(int index) => parts[index].Expression!.Source;

    internal string RenderExpressionAt(int index, JsonObject context, IScriptExpressionEvaluator? evaluator) =>
        JsonText.ToText(EvaluateExpressionAt(index, context, evaluator));

    internal JsonNode EvaluateExpressionAt(int index, JsonObject context, IScriptExpressionEvaluator? evaluator) =>
        parts[index].Expression!.Evaluate(context, evaluator);

    /// <summary>The field key when the expression at <paramref name="index"/> reads <c>context.authData.&lt;key&gt;</c> (with or without a literal default).</summary>
    internal string? AuthDataMemberAt(int index) => parts[index].Expression switch
    {
        PathExpression path => path.Path.AuthDataMember,
        DefaultedPathExpression path => path.Path.AuthDataMember,
        _ => null,
    };

    private static void AddDistinct(List<string> target, IReadOnlyList<string> items)
    {
        foreach (var item in items)
        {
            if (!target.Contains(item))
            {
                target.Add(item);
            }
        }
    }

    private readonly record struct TemplatePart(string? Literal, TemplateExpression? Expression)
    {
        public string Render(JsonObject context, IScriptExpressionEvaluator? evaluator) =>
            Literal ?? JsonText.ToText(Expression!.Evaluate(context, evaluator));
    }
}
