using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace ViaSocket.Grains.Connections;

/// <summary>The <c>ViaSocket:Refresh</c> configuration section.</summary>
public sealed class RefreshOptions
{
    public const string SectionPath = "ViaSocket:Refresh";

    /// <summary>
    /// The most refreshes one silo runs at once for one auth version, counted from the Refresh Token API call until its
    /// outcome is stored. A storm of tokens falling due together queues here instead of flooding the provider, and it
    /// queues before the call, so no more than this many rotated refresh tokens are ever waiting to be written (a
    /// crash loses those). The default value is 32.
    /// </summary>
    [Range(1, 10_000)]
    public int MaxConcurrentPerVersion { get; set; } = 32;

    /// <summary>
    /// Per-version overrides of <see cref="MaxConcurrentPerVersion"/>, keyed by plugin id and then version id
    /// (<c>ViaSocket:Refresh:VersionConcurrency:&lt;pluginId&gt;:&lt;versionId&gt;</c>).
    /// </summary>
    public Dictionary<string, Dictionary<string, int>> VersionConcurrency { get; set; } = new(StringComparer.Ordinal);

    public int LimitFor(string pluginId, string versionId) =>
        VersionConcurrency.TryGetValue(pluginId, out var versions) && versions.TryGetValue(versionId, out var limit) && limit > 0
            ? limit
            : MaxConcurrentPerVersion;
}

/// <summary>One gate per auth version on this silo, bounding its refreshes in progress (provider call and store).</summary>
internal sealed class RefreshConcurrencyLimiter(IOptions<RefreshOptions> options)
{
    private readonly ConcurrentDictionary<(string WorkspaceId, string PluginId, string VersionId), SemaphoreSlim> gates = new();

    /// <summary>Waits for a free slot of the version; disposing the result frees it.</summary>
    public async ValueTask<Slot> EnterAsync(string workspaceId, string pluginId, string versionId)
    {
        var gate = gates.GetOrAdd(
            (workspaceId, pluginId, versionId),
            static (key, limits) => new SemaphoreSlim(limits.LimitFor(key.PluginId, key.VersionId)),
            options.Value);
        await gate.WaitAsync();
        return new Slot(gate);
    }

    /// <summary>A held slot; disposing it more than once frees it once.</summary>
    public sealed class Slot(SemaphoreSlim gate) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
