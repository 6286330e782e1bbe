using ViaSocket.Connections;
using ViaSocket.Domain.Connections;
using ViaSocket.Domain.Workspaces;
using ViaSocket.Grains.Workspaces;

namespace ViaSocket.Grains.Connections;

/// <summary>The OAuth client of a connection: the version's own, or one the workspace registered for the plugin.</summary>
internal sealed partial class ConnectionGrain
{
    /// <summary>The client a start authorizes with: as asked, or on a reconnect without a choice, the connection's current one.</summary>
    private async Task<(string? OAuthClientId, OAuthApp? App, ConnectionError? Error)> ChooseOAuthClientAsync(StartAuthorization command)
    {
        var chosen = command.OAuthClientId switch
        {
            null => state.RecordExists ? S.OAuthClientId : null,
            StartAuthorization.VersionsOwnClient => null,
            var id => id,
        };
        var (app, error) = await OAuthAppAsync(chosen, command.PluginId, command.VersionId);
        return (chosen, app, error);
    }

    /// <summary>
    /// The credentials of workspace client <paramref name="oauthClientId"/> for a connection of this plugin and version;
    /// no app (the version's own) when null. Read on every use, so a rotated secret counts from the next call.
    /// </summary>
    private async Task<(OAuthApp? App, ConnectionError? Error)> OAuthAppAsync(string? oauthClientId, string pluginId, string versionId)
    {
        if (oauthClientId is null)
        {
            return (null, null);
        }

        // Engines call the grain directly: an id that is no identifier is not looked up, nor echoed into a message.
        if (!Identifiers.IsValid(oauthClientId))
        {
            return (null, new ConnectionError(ConnectionErrorCodes.OAuthClientNotFound, "oauthClientId is not a valid identifier."));
        }

        // Keyed by this connection's workspace: a client of another workspace is simply not found.
        var client = await GrainFactory.GetGrain<IWorkspaceOAuthClientSecrets>(WorkspaceId).ResolveAsync(oauthClientId);
        if (client is null)
        {
            return (null, new ConnectionError(ConnectionErrorCodes.OAuthClientNotFound, $"The workspace has no OAuth client '{oauthClientId}'."));
        }

        return OAuthClientRules.IsUsableFor(client.PluginId, client.VersionId, pluginId, versionId)
            ? (new OAuthApp(client.ClientId, client.ClientSecret), null)
            : (null, new ConnectionError(
                ConnectionErrorCodes.OAuthClientNotForVersion,
                $"The OAuth client '{oauthClientId}' is registered for plugin '{client.PluginId}'{(client.VersionId is null ? "" : $" version '{client.VersionId}'")}, not for {pluginId}/{versionId}."));
    }

    /// <summary>
    /// The connection's own client for a call to the provider. Its plugin and version never change, so a failure means
    /// the workspace deleted it: only a reconnect (with another client) can fix that.
    /// </summary>
    private async Task<(OAuthApp? App, ConnectionError? Gone)> ConnectionAppAsync()
    {
        var (app, error) = await OAuthAppAsync(S.OAuthClientId, S.PluginId, S.VersionId);
        return error is null
            ? (app, null)
            : (null, new ConnectionError(
                ConnectionErrorCodes.OAuthClientDeleted,
                $"The workspace's OAuth client '{S.OAuthClientId}' this connection was authorized with was deleted; the user must connect again."));
    }
}
