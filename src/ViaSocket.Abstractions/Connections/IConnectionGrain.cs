using Orleans.Concurrency;

namespace ViaSocket.Connections;

/// <summary>
/// One end user's connection to a provider account (key: <see cref="GrainKeys.Connection"/>). Holds the
/// authData, runs the OAuth flow and the token lifecycle, and serves credentials to workflow engines.
/// </summary>
public interface IConnectionGrain : IGrainWithStringKey
{
    /// <summary>
    /// Starts a new authorization attempt (a first connect, or a reconnect keeping this id): makes a fresh
    /// state and PKCE verifier and returns the provider's authorize URL.
    /// </summary>
    Task<StartAuthorizationResult> StartAuthorizationAsync(StartAuthorization command);

    /// <summary>
    /// Completes the attempt named by <paramref name="callback"/> after its state was consumed: exchanges the code,
    /// runs Test Me, labels the connection. Called by the front-end's callback handler.
    /// </summary>
    Task<AuthorizationOutcome> CompleteAuthorizationAsync(AuthorizationCallback callback);

    /// <summary>
    /// The rendered <c>append</c> headers/query/body and expiry. Joins an in-flight refresh, and refreshes first
    /// when the token is about to expire.
    /// </summary>
    [ReadOnly]
    Task<CredentialsResult> GetCredentialsAsync();

    /// <summary>Refreshes now (unless another refresh just produced a fresh token) and returns the new credentials.</summary>
    Task<CredentialsResult> RefreshAsync();

    /// <summary>
    /// A provider rejected the token of <paramref name="generation"/> (e.g. 401 on a proxied request): refreshes,
    /// unless the token already changed since, in which case the current credentials are returned.
    /// </summary>
    Task<CredentialsResult> RefreshRejectedAsync(long generation);

    /// <summary>Re-runs Test Me with the current token and updates the label.</summary>
    Task<ConnectionOperationResult> TestAsync();

    /// <summary>Runs the Revoke Token API (if any), wipes token material and cancels refreshes. Status becomes revoked.</summary>
    Task<ConnectionOperationResult> DisconnectAsync();

    /// <summary>
    /// Removes a revoked connection's record (state, history and directory row) so lists no longer show it. Refused
    /// with <see cref="ConnectionErrorCodes.NotRevoked"/> while it is not revoked: disconnecting comes first.
    /// </summary>
    Task<ConnectionError?> ArchiveAsync();

    /// <summary>
    /// Refreshes now if the refresh is due (a late or missed reminder, or a nudge from the connection itself); otherwise
    /// does nothing. Read-only in Orleans' sense, like <see cref="GetCredentialsAsync"/>: credential reads interleave with
    /// the refresh it runs, and calls that change the connection wait for it.
    /// </summary>
    [ReadOnly]
    Task WakeAsync();

    /// <summary>
    /// The provider refreshed another connection of this auth version after failing: if this connection is degraded and
    /// waiting out a backoff, it retries now (in its own turn) instead of at the end of the backoff; otherwise nothing.
    /// </summary>
    Task ProviderRecoveredAsync();

    /// <summary>The connection without token material, or null when it does not exist.</summary>
    [ReadOnly]
    Task<ConnectionView?> GetAsync();

    /// <summary>
    /// What engines may know about the connection without its credentials: status, base URL and the version's public
    /// extras (an instance URL, a realm or team id). Never token material. Null when the connection does not exist.
    /// </summary>
    [ReadOnly]
    Task<ConnectionMetadata?> GetMetadataAsync();

    /// <summary>
    /// Takes over a completed authorization of the same provider account from another attempt (unique-identifier
    /// dedupe): this connection keeps its id and gets the new authData.
    /// </summary>
    Task<AuthorizationOutcome> AdoptAuthorizationAsync(AdoptedAuthorization authorization);

    /// <summary>
    /// Deletes the connection if it is still pending and its last authorization attempt ended (failed) or lapsed before
    /// <paramref name="endedBefore"/>. Returns whether it was deleted.
    /// </summary>
    Task<bool> ExpirePendingAsync(DateTimeOffset endedBefore);
}

/// <summary>
/// A single-use OAuth <c>state</c>, keyed by the SHA-256 of the state value (so the state itself never becomes a
/// grain id in logs or storage). Consumed exactly once, however many callbacks arrive.
/// </summary>
public interface IPendingAuthorizationGrain : IGrainWithStringKey
{
    Task CreateAsync(PendingAuthorization pending);

    /// <summary>Returns the pending attempt and marks it consumed, or null when unknown, expired or already consumed.</summary>
    Task<PendingAuthorization?> ConsumeAsync();
}
