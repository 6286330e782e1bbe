using System.Collections.Concurrent;

namespace ViaSocket.Domain.Templates;

/// <summary>
/// Parsed templates shared by source text, so each distinct template is parsed once per process. Thread-safe.
/// Bounded: when <see cref="Capacity"/> is exceeded the cache starts over (templates come from a bounded
/// set of published versions, so this only guards against unbounded growth from drafts).
/// </summary>
public sealed class TemplateCache(int capacity = 10_000)
{
    private readonly ConcurrentDictionary<string, Template> templates = new(StringComparer.Ordinal);

    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity));

    public int Count => templates.Count;

    /// <summary>The parsed template for <paramref name="source"/>; throws <see cref="TemplateSyntaxException"/> when it is invalid.</summary>
    public Template GetOrParse(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (templates.TryGetValue(source, out var template))
        {
            return template;
        }

        template = Template.Parse(source);
        if (templates.Count >= Capacity)
        {
            templates.Clear();
        }

        return templates.GetOrAdd(source, template);
    }
}
