using Microsoft.Extensions.Caching.Memory;
using ViaSocket.Connections;
using ViaSocket.Domain.Workspaces;
using ViaSocket.Workspaces;

namespace ViaSocket.Server.Security;

/// <summary>
/// Decides where a connection may send its user after the OAuth callback: only to origins (scheme, host and port)
/// its workspace allows
/// (<see cref="IWorkspaceSettingsGrain"/>), so the callback never serves as an open redirect. A workspace with an
/// empty allowlist allows no return URL; its users see the service's own result page.
/// </summary>
internal sealed class ReturnUrlPolicy(IGrainFactory grains, IMemoryCache cache)
{
    public const string NotAllowedCode = "connection.return_url_not_allowed";

    // Every connection start reads the settings; caching keeps that to one grain call per workspace per window. A
    // change made through this front-end is seen at once (the entry is dropped), one made through another within it.
    private static readonly TimeSpan SettingsLifetime = TimeSpan.FromSeconds(30);

    /// <summary>Null when <paramref name="returnUrl"/> may be used; otherwise the error to answer with.</summary>
    public async Task<ConnectionError?> CheckAsync(string workspaceId, Uri returnUrl)
    {
        ArgumentNullException.ThrowIfNull(returnUrl);
        var settings = await GetCachedAsync(workspaceId);
        return ReturnUrlHostPatterns.Allows(settings.AllowedReturnUrlHosts, returnUrl)
            ? null
            : new ConnectionError(
                NotAllowedCode,
                $"returnUrl origin '{returnUrl.Scheme}://{returnUrl.IdnHost}:{returnUrl.Port}' is not allowed for this workspace; allow it in allowedReturnUrlHosts (PUT /v1/workspace/settings): a bare host allows https on port 443 only, 'http://host:port' any other scheme and port.");
    }

    public async Task<UpdateWorkspaceSettingsResult> UpdateAsync(string workspaceId, UpdateWorkspaceSettings command)
    {
        var result = await Grain(workspaceId).UpdateAsync(command);
        cache.Remove(new CacheKey(workspaceId));
        return result;
    }

    private async Task<WorkspaceSettings> GetCachedAsync(string workspaceId)
    {
        var key = new CacheKey(workspaceId);
        if (!cache.TryGetValue(key, out WorkspaceSettings? settings))
        {
            settings = await Grain(workspaceId).GetAsync();
            cache.Set(key, settings, SettingsLifetime);
        }

        return settings!;
    }

    private IWorkspaceSettingsGrain Grain(string workspaceId) => grains.GetGrain<IWorkspaceSettingsGrain>(workspaceId);

    /// <summary>A key type of its own, so these entries never collide with others in the shared cache.</summary>
    private sealed record CacheKey(string WorkspaceId);
}
