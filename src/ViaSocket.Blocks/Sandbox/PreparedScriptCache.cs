using System.Collections.Concurrent;
using Acornima.Ast;
using Jint;
using Microsoft.Extensions.Options;

namespace ViaSocket.Blocks.Sandbox;

/// <summary>
/// Prepared (parsed and analysed) scripts by cache key, so a published block is parsed once. Bounded: past
/// <see cref="SandboxOptions.MaxCachedScripts"/> the oldest entries are dropped. An entry whose source changed
/// under the same key (a draft edited in place) is prepared again.
/// </summary>
internal sealed class PreparedScriptCache(IOptions<SandboxOptions> options)
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _insertionOrder = new();

    public int Count => _entries.Count;

    /// <exception cref="ScriptPreparationException">The source does not parse (not cached).</exception>
    /// <exception cref="RefusedSyntaxException">The source uses syntax the sandbox refuses (not cached).</exception>
    public Prepared<Script> GetOrPrepare(string key, string source, Func<string, Prepared<Script>> prepare)
    {
        if (_entries.TryGetValue(key, out var cached) && string.Equals(cached.Source, source, StringComparison.Ordinal))
        {
            return cached.Script;
        }

        var entry = new Entry(source, prepare(source));
        _entries[key] = entry;
        _insertionOrder.Enqueue(key);
        var capacity = Math.Max(1, options.Value.MaxCachedScripts);
        while (_entries.Count > capacity && _insertionOrder.TryDequeue(out var oldest))
        {
            if (!string.Equals(oldest, key, StringComparison.Ordinal))
            {
                _entries.TryRemove(oldest, out _);
            }
        }

        return entry.Script;
    }

    private sealed record Entry(string Source, Prepared<Script> Script);
}
