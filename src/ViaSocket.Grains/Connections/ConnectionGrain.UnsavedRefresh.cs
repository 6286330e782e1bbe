using Microsoft.Extensions.Logging;
using ViaSocket.Connections;
using ViaSocket.Domain.Connections;

namespace ViaSocket.Grains.Connections;

/// <summary>Refreshed tokens storage refused: held, retried, and the window in which a crash would lose them.</summary>
internal sealed partial class ConnectionGrain
{
    private static readonly TimeSpan PersistRetryInterval = TimeSpan.FromSeconds(2);

    private IGrainTimer? persistRetry;

    // Set from a refresh request until a state write stores its outcome: the window in which a crash loses a refresh
    // token the provider rotated. An object only while it lasts, so idle activations carry one reference.
    private UnsavedRefresh? unsavedRefresh;

    /// <summary>
    /// The provider issued new tokens but storage refused them. This activation now holds the only copy of the new
    /// refresh token (the old one may be dead after rotation), so it keeps it, keeps retrying the write, reports
    /// degraded, and serves only the credentials it had stored before.
    /// </summary>
    private CredentialsResult HoldUnsavedRefresh(Exception exception)
    {
        S.Status = ConnectionStatus.Degraded;
        S.LastError = new ConnectionError(ConnectionErrorCodes.StorageUnavailable, "A refreshed token could not be stored yet; retrying.");
        Record(ConnectionEventKinds.Degraded, ConnectionErrorCodes.StorageUnavailable);
        LogRefreshNotPersisted(logger, WorkspaceId, ConnectionId, exception.GetType().Name);
        persistRetry ??= this.RegisterGrainTimer(
            RetryPersistAsync,
            new GrainTimerCreationOptions(PersistRetryInterval, PersistRetryInterval) { KeepAlive = true });
        return StoredCredentials();
    }

    private async Task RetryPersistAsync(CancellationToken cancellationToken)
    {
        S.Status = ConnectionStatus.Active;
        S.LastError = null;
        var history = S.History.ToList();
        Record(ConnectionEventKinds.Recovered, ConnectionErrorCodes.StorageUnavailable);
        try
        {
            await PersistAsync();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Not recovered after all: a failed attempt must not leave a "recovered" behind, or a long outage would
            // publish one for every retry once storage is back.
            (S.History, S.Status) = (history, ConnectionStatus.Degraded);
            if (unpublished is [.., { Kind: ConnectionEventKinds.Recovered }])
            {
                unpublished.RemoveAt(unpublished.Count - 1);
            }

            S.LastError = new ConnectionError(ConnectionErrorCodes.StorageUnavailable, "A refreshed token could not be stored yet; retrying.");
            LogRefreshNotPersisted(logger, WorkspaceId, ConnectionId, exception.GetType().Name);
            return;
        }

        persistRetry?.Dispose();
        persistRetry = null;
        InvalidateCredentials();
        await ScheduleRefreshAsync();
    }

    /// <summary>Ends the unsaved window of the refresh in progress or held, if any; <paramref name="stored"/> when a state write just stored its outcome.</summary>
    private void SettleUnsavedRefresh(bool stored)
    {
        if (unsavedRefresh is not { } unsaved)
        {
            return;
        }

        metrics.RefreshSettled(stored && unsaved.NewTokensArrivedAt is { } arrivedAt ? time.GetElapsedTime(arrivedAt) : null);
        unsavedRefresh = null;
    }

    private sealed class UnsavedRefresh
    {
        /// <summary>When the provider's new tokens arrived (a <see cref="TimeProvider"/> timestamp); null before.</summary>
        public long? NewTokensArrivedAt { get; set; }
    }

    /// <summary>While a refresh is unsaved: the last stored credentials, as long as their token has not expired.</summary>
    private CredentialsResult StoredCredentials() =>
        cachedCredentials is { Credentials: { } stored } && !TokenLifetime.TooCloseToExpiry(stored.ExpiresAt, time.GetUtcNow())
            ? cachedCredentials
            : new CredentialsResult(null, new ConnectionError(ConnectionErrorCodes.StorageUnavailable, "The refreshed token is not stored yet and the stored one has expired; retrying."));

    [LoggerMessage(Level = LogLevel.Error, Message = "Refreshed tokens of connection {WorkspaceId}/{ConnectionId} could not be stored ({ErrorType}); holding them and retrying")]
    private static partial void LogRefreshNotPersisted(ILogger logger, string workspaceId, string connectionId, string errorType);
}
