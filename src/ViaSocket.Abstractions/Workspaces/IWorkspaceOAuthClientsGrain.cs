namespace ViaSocket.Workspaces;

/// <summary>
/// A workspace's own OAuth clients ("bring your own OAuth app"; key: the workspace id): client id and secret of an app
/// the workspace registered at the provider, used by the connections that choose it instead of the version's own. Each
/// client is registered for one plugin: every published version of it, or only the version it is pinned to. The secret
/// is write-only: no call returns it, and it is stored encrypted like every grain state.
/// </summary>
public interface IWorkspaceOAuthClientsGrain : IGrainWithStringKey
{
    /// <summary>Registers a client; its id is generated.</summary>
    Task<OAuthClientResult> CreateAsync(CreateOAuthClient command);

    /// <summary>The clients, oldest first, optionally only those of one plugin. Never includes secrets.</summary>
    Task<IReadOnlyList<OAuthClientView>> ListAsync(string? pluginId);

    /// <summary>One client without its secret, or null when the workspace has none with this id.</summary>
    Task<OAuthClientView?> GetAsync(string oauthClientId);

    /// <summary>
    /// Changes the name, the provider client id and/or the secret (a rotation). Connections using the client take the
    /// change at their next call to the provider (refresh, revoke).
    /// </summary>
    Task<OAuthClientResult> UpdateAsync(UpdateOAuthClient command);

    /// <summary>
    /// Removes the client. Connections still using it end in <c>reauth_required</c> (reason
    /// <c>connection.oauth_client_deleted</c>) at their next refresh. False when no such client exists.
    /// </summary>
    Task<bool> DeleteAsync(string oauthClientId);
}

/// <param name="VersionId">Pins the client to one version; null lets every version of the plugin use it.</param>
/// <param name="ClientSecret">Secret: stored encrypted, never returned.</param>
[GenerateSerializer, Immutable]
public sealed record CreateOAuthClient(string PluginId, string? VersionId, string Name, string ClientId, string ClientSecret)
{
    public override string ToString() => $"CreateOAuthClient {{ PluginId = {PluginId}, VersionId = {VersionId}, Name = {Name}, ClientId = {ClientId} }}";
}

/// <summary>A change of a client; members left null keep their value.</summary>
/// <param name="ClientSecret">Secret: the rotated secret; stored encrypted, never returned.</param>
[GenerateSerializer, Immutable]
public sealed record UpdateOAuthClient(string OAuthClientId, string? Name, string? ClientId, string? ClientSecret)
{
    public override string ToString() => $"UpdateOAuthClient {{ OAuthClientId = {OAuthClientId}, Name = {Name}, ClientId = {ClientId} }}";
}

/// <summary>A workspace's OAuth client as callers may see it: no secret.</summary>
/// <param name="SecretUpdatedAt">When the secret was last set (created or rotated).</param>
[GenerateSerializer, Immutable]
public sealed record OAuthClientView(
    string OAuthClientId,
    string PluginId,
    string? VersionId,
    string Name,
    string ClientId,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset SecretUpdatedAt);

[GenerateSerializer, Immutable]
public sealed record OAuthClientResult(OAuthClientView? Client, OAuthClientError? Error)
{
    public bool Succeeded => Error is null;
}

/// <summary>A refused change of an OAuth client, with a stable code. Messages never contain the secret.</summary>
[GenerateSerializer, Immutable]
public sealed record OAuthClientError(string Code, string Message);

/// <summary>Stable error codes of a workspace's OAuth clients.</summary>
public static class OAuthClientErrorCodes
{
    public const string Invalid = "oauth_client.invalid";
    public const string NotFound = "oauth_client.not_found";
    public const string TooMany = "oauth_client.too_many";
}
