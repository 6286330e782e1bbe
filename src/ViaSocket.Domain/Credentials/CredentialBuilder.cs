using System.Text.Json.Nodes;
using ViaSocket.Domain.Definitions;
using ViaSocket.Domain.Templates;

namespace ViaSocket.Domain.Credentials;

/// <summary>The rendered <c>append</c> of a version for one connection: what the engine adds to its request.</summary>
public sealed record RenderedCredentials(
    IReadOnlyDictionary<string, string> Headers,
    IReadOnlyDictionary<string, string> Query,
    JsonObject Body)
{
    /// <summary>Values are credentials: only the names are printed.</summary>
    public override string ToString() =>
        $"RenderedCredentials {{ Headers = [{string.Join(", ", Headers.Keys)}], Query = [{string.Join(", ", Query.Keys)}], " +
        $"Body = [{string.Join(", ", Body.Select(member => member.Key))}] }}";
}

/// <summary>
/// Renders a version's <c>append</c> headers, query and body for a connection's context. Compile once per
/// published version and reuse: templates are parsed only in <see cref="Compile"/>.
/// </summary>
public sealed class CredentialBuilder
{
    private static readonly IReadOnlyDictionary<string, string> NoEntries = new Dictionary<string, string>();

    private readonly TemplateMap headers;
    private readonly TemplateMap query;
    private readonly TemplateMap body;

    private CredentialBuilder(TemplateMap headers, TemplateMap query, TemplateMap body)
    {
        this.headers = headers;
        this.query = query;
        this.body = body;
    }

    /// <summary>Throws <see cref="TemplateSyntaxException"/> when a template is invalid (a validated version never is).</summary>
    public static CredentialBuilder Compile(AppendDefinition append, TemplateCache? cache = null)
    {
        ArgumentNullException.ThrowIfNull(append);
        return new CredentialBuilder(
            TemplateMap.Compile(append.Headers, "/append/headers", cache),
            TemplateMap.Compile(append.Query, "/append/query", cache),
            TemplateMap.Compile(append.Body, "/append/body", cache));
    }

    /// <summary>True when some template needs an <see cref="IScriptExpressionEvaluator"/>.</summary>
    public bool NeedsScriptEvaluator =>
        new[] { headers, query, body }.Any(map => map.Entries.Any(entry => entry.Value.NeedsScriptEvaluator));

    /// <summary>
    /// Renders every template. Throws <see cref="TemplateRenderException"/> naming the member
    /// (e.g. <c>/append/headers/Authorization</c>) and the missing path.
    /// </summary>
    public RenderedCredentials Build(JsonObject context, IScriptExpressionEvaluator? evaluator = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        var renderedBody = new JsonObject();
        body.RenderValuesInto(renderedBody, context, evaluator);
        return new RenderedCredentials(Render(headers, StringComparer.OrdinalIgnoreCase), Render(query, StringComparer.Ordinal), renderedBody);

        IReadOnlyDictionary<string, string> Render(TemplateMap map, StringComparer comparer)
        {
            // Most versions append only headers: every connection's credentials share one empty query map, as they
            // are kept in memory by every active connection.
            if (map.Count == 0)
            {
                return NoEntries;
            }

            var rendered = new Dictionary<string, string>(map.Count, comparer);
            map.RenderInto(rendered, context, evaluator);
            return rendered;
        }
    }
}
