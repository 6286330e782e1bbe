using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ViaSocket.Domain.Templates;

namespace ViaSocket.Domain.Connections;

/// <summary>
/// A version's <c>publicExtras</c>, compiled once: non-secret values (an instance URL, a realm or team id) engines read
/// in a connection's metadata. Validation refuses templates that read token material or secrets; as a second line, an
/// expression whose value is an object or an array (which could hold a token under any name) leaves its entry out.
/// </summary>
public sealed class PublicExtras
{
    private readonly KeyValuePair<string, Template>[] entries;

    private PublicExtras(KeyValuePair<string, Template>[] entries) => this.entries = entries;

    public static PublicExtras Compile(IReadOnlyDictionary<string, string> sources, TemplateCache? cache = null)
    {
        ArgumentNullException.ThrowIfNull(sources);
        return new([.. sources.Select(source => KeyValuePair.Create(source.Key, cache?.GetOrParse(source.Value) ?? Template.Parse(source.Value)))]);
    }

    /// <summary>The rendered extras; an entry whose value is missing (not arrived yet) or not a plain value is left out.</summary>
    public IReadOnlyDictionary<string, string> Render(JsonObject context, IScriptExpressionEvaluator? evaluator = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        var rendered = new Dictionary<string, string>(entries.Length, StringComparer.Ordinal);
        foreach (var (name, template) in entries)
        {
            if (TryRender(template, context, evaluator) is { } value)
            {
                rendered[name] = value;
            }
        }

        return rendered;
    }

    private static string? TryRender(Template template, JsonObject context, IScriptExpressionEvaluator? evaluator)
    {
        var text = new StringBuilder();
        for (var i = 0; i < template.PartCount; i++)
        {
            if (template.LiteralAt(i) is { } literal)
            {
                text.Append(literal);
                continue;
            }

            JsonNode value;
            try
            {
                value = template.EvaluateExpressionAt(i, context, evaluator);
            }
            catch (TemplateRenderException)
            {
                return null;
            }

            if (value.GetValueKind() is not (JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False))
            {
                return null;
            }

            text.Append(JsonText.ToText(value));
        }

        return text.ToString();
    }
}
