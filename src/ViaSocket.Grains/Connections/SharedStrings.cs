using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace ViaSocket.Grains.Connections;

/// <summary>
/// One instance per distinct value of strings that many connection activations repeat (workspace, plugin and version
/// ids, redirect URIs, history kinds and codes). Each activation deserializes its own copies from its state, and at
/// hundreds of thousands of idle activations those copies are a good share of their memory. Only bounded sets of
/// values belong here; past <see cref="MaxValues"/> values are returned as they are.
/// </summary>
public sealed class SharedStrings
{
    public const int MaxValues = 100_000;

    private readonly ConcurrentDictionary<string, string> values = new(StringComparer.Ordinal);

    public int Count => values.Count;

    /// <returns>The shared instance equal to <paramref name="value"/>.</returns>
    [return: NotNullIfNotNull(nameof(value))]
    public string? Share(string? value)
    {
        if (value is null)
        {
            return null;
        }

        if (values.TryGetValue(value, out var shared))
        {
            return shared;
        }

        return values.Count < MaxValues ? values.GetOrAdd(value, value) : value;
    }
}
