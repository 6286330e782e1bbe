using System.Text.Json.Nodes;

namespace ViaSocket.Domain.Templates;

/// <summary>
/// A name → template map (headers, query parameters, body members) compiled once. Render failures name
/// the member as a JSON pointer, e.g. <c>/append/headers/Authorization</c>.
/// </summary>
public sealed class TemplateMap
{
    private readonly KeyValuePair<string, Template>[] entries;
    private readonly string[] memberPointers;

    private TemplateMap(KeyValuePair<string, Template>[] entries, string[] memberPointers)
    {
        this.entries = entries;
        this.memberPointers = memberPointers;
    }

    public static TemplateMap Empty { get; } = new([], []);

    public int Count => entries.Length;

    /// <summary>The compiled templates by name, in the map's order.</summary>
    public IEnumerable<KeyValuePair<string, Template>> Entries => entries;

    /// <summary>Compiles every value of <paramref name="sources"/>; throws <see cref="TemplateSyntaxException"/> for an invalid one.</summary>
    /// <param name="sources">Name → template source.</param>
    /// <param name="pointer">JSON pointer of the map in its definition (e.g. <c>/append/headers</c>), used in error messages.</param>
    /// <param name="cache">Where to share parsed templates; null parses each one.</param>
    public static TemplateMap Compile(IReadOnlyDictionary<string, string> sources, string pointer, TemplateCache? cache = null)
    {
        ArgumentNullException.ThrowIfNull(sources);
        if (sources.Count == 0)
        {
            return Empty;
        }

        var entries = new KeyValuePair<string, Template>[sources.Count];
        var pointers = new string[sources.Count];
        var i = 0;
        foreach (var (name, source) in sources)
        {
            entries[i] = new(name, cache?.GetOrParse(source) ?? Template.Parse(source));
            pointers[i] = JsonPointer.Append(pointer, name);
            i++;
        }

        return new TemplateMap(entries, pointers);
    }

    /// <summary>Renders every template as text into <paramref name="target"/>.</summary>
    public void RenderInto(IDictionary<string, string> target, JsonObject context, IScriptExpressionEvaluator? evaluator = null)
    {
        for (var i = 0; i < entries.Length; i++)
        {
            try
            {
                target[entries[i].Key] = entries[i].Value.Render(context, evaluator);
            }
            catch (TemplateRenderException exception)
            {
                throw exception.WithMember(memberPointers[i]);
            }
        }
    }

    /// <summary>Renders every template as a JSON value (see <see cref="Template.RenderValue"/>) into <paramref name="target"/>.</summary>
    public void RenderValuesInto(JsonObject target, JsonObject context, IScriptExpressionEvaluator? evaluator = null)
    {
        for (var i = 0; i < entries.Length; i++)
        {
            try
            {
                target[entries[i].Key] = entries[i].Value.RenderValue(context, evaluator);
            }
            catch (TemplateRenderException exception)
            {
                throw exception.WithMember(memberPointers[i]);
            }
        }
    }
}
