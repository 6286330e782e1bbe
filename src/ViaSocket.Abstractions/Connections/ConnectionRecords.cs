namespace ViaSocket.Connections;

[GenerateSerializer]
public enum ConnectionStatus
{
    /// <summary>Authorization started; not usable yet.</summary>
    Pending,
    /// <summary>Usable.</summary>
    Active,
    /// <summary>Refresh failing transiently; the current token is served until it expires.</summary>
    Degraded,
    /// <summary>The provider refused the refresh; the user must reconnect.</summary>
    ReauthRequired,
    /// <summary>Disconnected; token material wiped.</summary>
    Revoked,
}

public static class ConnectionStatusNames
{
    /// <summary>The wire name of a status: <c>pending</c>, <c>active</c>, <c>degraded</c>, <c>reauth_required</c>, <c>revoked</c>.</summary>
    public static string ToWireName(this ConnectionStatus status) => status switch
    {
        ConnectionStatus.Pending => "pending",
        ConnectionStatus.Active => "active",
        ConnectionStatus.Degraded => "degraded",
        ConnectionStatus.ReauthRequired => "reauth_required",
        ConnectionStatus.Revoked => "revoked",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };
}

/// <param name="WorkspaceId">Must match the grain key's workspace.</param>
/// <param name="Fields">Values of the version's fields, by key.</param>
/// <param name="RedirectUri">The service's exact callback URL (public base URL + <c>/oauth/callback</c>).</param>
/// <param name="ReturnUrl">Where the user is sent after the callback; null shows the service's result page.</param>
/// <param name="OAuthClientId">
/// The workspace OAuth client (<c>IWorkspaceOAuthClientsGrain</c>) this connection uses instead of the version's own;
/// <see cref="VersionsOwnClient"/> for the version's own; null keeps the connection's current one (a new connection: the version's own).
/// </param>
/// <param name="OptionalScopes">Optional scopes of the version to ask for besides its required ones; another one fails with <see cref="ConnectionErrorCodes.UnknownScope"/>.</param>
[GenerateSerializer, Immutable]
public sealed record StartAuthorization(
    string WorkspaceId,
    string PluginId,
    string VersionId,
    string OwnerId,
    IReadOnlyDictionary<string, string> Fields,
    string RedirectUri,
    string? ReturnUrl,
    string? OAuthClientId = null,
    IReadOnlyList<string>? OptionalScopes = null)
{
    /// <summary>The <see cref="OAuthClientId"/> that picks the version's own client explicitly (on a reconnect that drops a workspace client).</summary>
    public const string VersionsOwnClient = "default";
}

[GenerateSerializer, Immutable]
public sealed record StartAuthorizationResult(string ConnectionId, string? AuthorizeUrl, DateTimeOffset? StateExpiresAt, ConnectionError? Error)
{
    public bool Succeeded => Error is null;
}

/// <summary>What the callback handler knows after consuming the state.</summary>
/// <param name="Parameters">Every query parameter of the callback but <c>state</c>.</param>
[GenerateSerializer, Immutable]
public sealed record AuthorizationCallback(string AttemptId, string? CodeVerifier, IReadOnlyDictionary<string, string> Parameters);

/// <param name="ConnectionId">The connection that holds the result (differs from the attempt's when it was deduplicated).</param>
[GenerateSerializer, Immutable]
public sealed record AuthorizationOutcome(string ConnectionId, ConnectionStatus Status, string? Label, ConnectionError? Error)
{
    public bool Succeeded => Error is null;
}

/// <summary>A completed authorization handed from one connection to the existing one with the same identifier.</summary>
/// <param name="AuthDataJson">Sensitive: the complete authData.</param>
/// <param name="OAuthClientId">The workspace OAuth client the grant was issued to; null for the version's own.</param>
[GenerateSerializer, Immutable]
public sealed record AdoptedAuthorization(
    string PluginId, string VersionId, string RedirectUri, string AuthDataJson, string? Label, string UniqueIdentifier, DateTimeOffset? ExpiresAt, DateTimeOffset? RefreshAt,
    string? OAuthClientId = null, IReadOnlyList<string>? RequestedScopes = null, IReadOnlyList<string>? GrantedScopes = null,
    DateTimeOffset? RefreshTokenExpiresAt = null, DateTimeOffset? ReconnectSoonAt = null);

/// <summary>State stored for one authorization attempt until its callback arrives.</summary>
/// <param name="CodeVerifier">Sensitive: the PKCE verifier (null when the version uses no PKCE).</param>
[GenerateSerializer, Immutable]
public sealed record PendingAuthorization(
    string WorkspaceId,
    string ConnectionId,
    string AttemptId,
    string? CodeVerifier,
    string? ReturnUrl,
    DateTimeOffset ExpiresAt);

/// <summary>What a workflow engine appends to a request of this connection.</summary>
/// <param name="BodyJson">A JSON object of body members to merge.</param>
/// <param name="AllowedUrls">The only base URLs these credentials may be sent to.</param>
/// <param name="RefreshOnStatus">Response statuses that mean the token expired.</param>
/// <param name="Generation">Names this token; pass it to <see cref="IConnectionGrain.RefreshRejectedAsync"/> when a provider rejects it.</param>
/// <param name="RefreshOn">Further responses that mean the token expired, recognised by status and body.</param>
/// <param name="BaseUrl">The root relative request paths resolve against (the version's <c>baseUrl</c>, rendered for this connection); null when it declares none.</param>
[GenerateSerializer, Immutable]
public sealed record ConnectionCredentials(
    ConnectionStatus Status,
    IReadOnlyDictionary<string, string> Headers,
    IReadOnlyDictionary<string, string> Query,
    string BodyJson,
    DateTimeOffset? ExpiresAt,
    IReadOnlyList<string> AllowedUrls,
    IReadOnlyList<int> RefreshOnStatus,
    long Generation,
    IReadOnlyList<RefreshOnCondition> RefreshOn,
    string? BaseUrl = null);

/// <summary>
/// A response means the token expired when its status is one of <paramref name="Status"/> (any, if empty) and every
/// <paramref name="Match"/> entry (a dotted body path → the values, as text) holds for its body.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record RefreshOnCondition(IReadOnlyList<int> Status, IReadOnlyDictionary<string, IReadOnlyList<string>> Match);

/// <param name="RetryAfter">Set when the answer is "not now": how long until trying again can help.</param>
[GenerateSerializer, Immutable]
public sealed record CredentialsResult(ConnectionCredentials? Credentials, ConnectionError? Error, TimeSpan? RetryAfter = null)
{
    public bool Succeeded => Error is null;
}

[GenerateSerializer, Immutable]
public sealed record ConnectionOperationResult(ConnectionView? Connection, ConnectionError? Error)
{
    public bool Succeeded => Error is null;
}

/// <summary>A lifecycle event kept in the connection's short history.</summary>
[GenerateSerializer, Immutable]
public sealed record ConnectionEvent(DateTimeOffset At, string Kind, string? Detail);

/// <summary>A connection as callers may see it: no token material.</summary>
/// <param name="OAuthClientId">The workspace OAuth client the connection uses; null for the version's own.</param>
/// <param name="GrantedScopes">What the provider granted (its token response's <c>scope</c>, else what was requested); null before the first authorization.</param>
[GenerateSerializer, Immutable]
public sealed record ConnectionView(
    string WorkspaceId,
    string ConnectionId,
    string OwnerId,
    string PluginId,
    string VersionId,
    ConnectionStatus Status,
    string? Label,
    string? UniqueIdentifier,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? NextRefreshAt,
    DateTimeOffset? LastRefreshedAt,
    ConnectionError? LastError,
    IReadOnlyList<ConnectionEvent> History,
    int RefreshFailuresToday = 0,
    string? OAuthClientId = null,
    IReadOnlyList<string>? GrantedScopes = null,
    DateTimeOffset? RefreshTokenExpiresAt = null);

/// <summary>An error with a stable code. Messages never contain secrets.</summary>
/// <param name="ProviderStatus">The provider's HTTP status, when the error came from one.</param>
[GenerateSerializer, Immutable]
public sealed record ConnectionError(string Code, string Message, int? ProviderStatus = null);

/// <summary>Stable error codes of connection operations.</summary>
public static class ConnectionErrorCodes
{
    public const string NotFound = "connection.not_found";
    public const string VersionNotPublished = "connection.version_not_published";
    public const string InvalidFields = "connection.invalid_fields";

    /// <summary>A start call asked for a scope that is not one of the version's optional scopes.</summary>
    public const string UnknownScope = "connection.unknown_scope";
    public const string NotUsable = "connection.not_usable";
    public const string AttemptMismatch = "connection.attempt_mismatch";
    public const string ProviderError = "connection.provider_error";
    public const string AccessTokenFailed = "connection.access_token_failed";
    public const string TestMeFailed = "connection.test_me_failed";
    public const string TemplateFailed = "connection.template_failed";
    public const string RefreshFailed = "connection.refresh_failed";
    public const string RefreshUnavailable = "connection.refresh_unavailable";

    /// <summary>Another activation (on another silo) is refreshing this connection right now.</summary>
    public const string RefreshInProgress = "connection.refresh_in_progress";
    public const string ReauthRequired = "connection.reauth_required";

    /// <summary>Why a connection needs reauthorization: its refresh token reached the end of its lifetime.</summary>
    public const string RefreshTokenExpired = "connection.refresh_token_expired";

    /// <summary>Why a connection needs reauthorization: a refresh was sent, its answer lost, and the provider's reuse grace did not save it.</summary>
    public const string RefreshInterrupted = "connection.refresh_interrupted";
    public const string Revoked = "connection.revoked";

    /// <summary>Only a revoked connection can be archived: disconnect it first.</summary>
    public const string NotRevoked = "connection.not_revoked";
    public const string WorkspaceMismatch = "connection.workspace_mismatch";
    public const string OwnerMismatch = "connection.owner_mismatch";
    public const string IssuerMismatch = "connection.issuer_mismatch";

    /// <summary>The version requires the RFC 9207 <c>iss</c> parameter and the callback had none (it may have been stripped).</summary>
    public const string IssuerMissing = "connection.issuer_missing";

    /// <summary>The token response's ID token failed validation; the message names the check (docs/id-tokens.md).</summary>
    public const string IdTokenInvalid = "connection.id_token_invalid";

    /// <summary>A connection test of a version without a Test Me API: its connections are named by their ID token.</summary>
    public const string TestUnavailable = "connection.test_unavailable";
    public const string InvalidCallback = "connection.invalid_callback";
    public const string StorageUnavailable = "connection.storage_unavailable";
    public const string OAuthClientNotFound = "connection.oauth_client_not_found";
    public const string OAuthClientNotForVersion = "connection.oauth_client_not_for_version";
    public const string OAuthClientDeleted = "connection.oauth_client_deleted";
}
