using System.Collections.Concurrent;
using ViaSocket.AuthVersions;
using ViaSocket.Domain.Connections;
using ViaSocket.Domain.Definitions;
using ViaSocket.Domain.Templates;

namespace ViaSocket.Grains.AuthVersions;

/// <summary>
/// A per-silo cache of compiled auth versions. Published versions never change, so each is fetched from its grain
/// and compiled once per silo, however many connection activations use it.
/// </summary>
public sealed class AuthVersionCatalog(IGrainFactory grains)
{
    private const int Capacity = 10_000;
    private readonly ConcurrentDictionary<string, CompiledAuthVersion> published = new(StringComparer.Ordinal);
    private readonly TemplateCache templates = new(50_000);

    /// <summary>The compiled published version, or null when it does not exist or is a draft.</summary>
    public async ValueTask<CompiledAuthVersion?> GetPublishedAsync(string workspaceId, string pluginId, string versionId)
    {
        var key = GrainKeys.AuthVersion(workspaceId, pluginId, versionId);
        if (published.TryGetValue(key, out var compiled))
        {
            return compiled;
        }

        var version = await grains.GetGrain<IAuthVersionGrain>(key).GetPublishedAsync();
        if (version is null)
        {
            return null;
        }

        compiled = Compile(version);
        if (published.Count >= Capacity)
        {
            published.Clear();
        }

        return published.GetOrAdd(key, compiled);
    }

    /// <summary>Compiles a version (draft or published) without caching it, e.g. for an author's test run.</summary>
    public CompiledAuthVersion Compile(PublishedAuthVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        var definition = DefinitionJson.Parse(version.DefinitionJson).Definition
            ?? throw new InvalidOperationException($"Stored definition {version.Revision} does not parse.");
        return CompiledAuthVersion.Compile(definition, version.Revision, templates);
    }
}
