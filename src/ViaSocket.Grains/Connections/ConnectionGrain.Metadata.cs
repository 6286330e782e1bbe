using ViaSocket.Connections;
using ViaSocket.Domain.Connections;
using ViaSocket.Domain.Templates;

namespace ViaSocket.Grains.Connections;

/// <summary>Metadata: the non-secret facts engines read without the credentials call.</summary>
internal sealed partial class ConnectionGrain
{
    public async Task<ConnectionMetadata?> GetMetadataAsync()
    {
        if (!state.RecordExists)
        {
            return null;
        }

        if (S.AuthData is null)
        {
            // Pending or disconnected: nothing has arrived, or it was wiped.
            return new ConnectionMetadata(ConnectionId, S.PluginId, S.VersionId, S.Status, null, new Dictionary<string, string>(), GrantedScopes());
        }

        var version = await PinnedVersionAsync();
        var context = ConnectionContext.Create(version, AuthData(), S.RedirectUri, null, scopes: S.RequestedScopes);
        string? baseUrl;
        try
        {
            baseUrl = version.RenderBaseUrl(context, evaluator);
        }
        catch (TemplateRenderException)
        {
            // The credentials call reports why; metadata only says there is no usable base URL.
            baseUrl = null;
        }

        return new ConnectionMetadata(ConnectionId, S.PluginId, S.VersionId, S.Status, baseUrl, version.PublicExtras.Render(context, evaluator), GrantedScopes());
    }

    private List<string>? GrantedScopes() => S.GrantedScopes is null ? null : [.. S.GrantedScopes];
}
