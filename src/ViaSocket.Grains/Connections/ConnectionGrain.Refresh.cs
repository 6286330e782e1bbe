using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using ViaSocket.Blocks;
using ViaSocket.Connections;
using ViaSocket.Domain;
using ViaSocket.Domain.Connections;
using ViaSocket.Domain.Tokens;
using ViaSocket.Grains.Diagnostics;

namespace ViaSocket.Grains.Connections;

/// <summary>Refresh: one at a time, proactive, on demand and reactive, and what a failed one leads to (<see cref="RefreshPolicy"/>).</summary>
internal sealed partial class ConnectionGrain
{
    /// <summary>How long a caller should wait before asking again for a refresh that could not start.</summary>
    private static readonly TimeSpan NotStartedRetryAfter = TimeSpan.FromSeconds(2);

    private Task<CredentialsResult>? refreshInFlight;
    private RefreshTrigger? pendingNudge;
    private RefreshClaimFence? claimFence;

    public Task<CredentialsResult> RefreshAsync() => JoinRefreshAsync(RefreshTrigger.OnDemand);

    public async Task WakeAsync()
    {
        var trigger = pendingNudge ?? RefreshTrigger.Due;
        pendingNudge = null;
        if (trigger != RefreshTrigger.Due || IsRefreshDue(time.GetUtcNow()))
        {
            await JoinRefreshAsync(trigger);
        }
    }

    public Task ProviderRecoveredAsync()
    {
        // Only a backoff after provider failures ends early; a refresh held for storage keeps retrying its write.
        if (S.Status == ConnectionStatus.Degraded && persistRetry is null && S.NextRefreshAttemptAt is { } retryAt && time.GetUtcNow() < retryAt)
        {
            S.NextRefreshAttemptAt = null;
            NudgeRefresh(RefreshTrigger.ProviderRecovered);
        }

        return Task.CompletedTask;
    }

    public async Task<CredentialsResult> RefreshRejectedAsync(long generation) =>
        generation == S.Generation ? await JoinRefreshAsync(RefreshTrigger.Rejected) : await CredentialsAsync();

    private bool IsRefreshDue(DateTimeOffset now) => RefreshPolicy.IsDue(Schedule, now);

    /// <summary>The fence of this activation's refreshes; made on first use, when the activation is known.</summary>
    private RefreshClaimFence ClaimFence => claimFence ??= new RefreshClaimFence(
        state, membership, sharedStrings, logger, $"{localSilo.SiloAddress.ToParsableString()}|{GrainContext.ActivationId}");

    /// <summary>
    /// Starts a refresh in its own turn, so the caller that noticed it is not held up. That turn is a call of
    /// <see cref="WakeAsync"/> to this activation: it is read-only, so credential reads interleave with the refresh and are
    /// answered with the still-valid token instead of waiting for the provider. A reminder tick or a timer would hold
    /// every read until the refresh ended. Calls that change the connection still wait for it, as for any read.
    /// </summary>
    private void NudgeRefresh(RefreshTrigger trigger = RefreshTrigger.Due)
    {
        if (refreshInFlight is not null || pendingNudge is not null)
        {
            return;
        }

        pendingNudge = trigger;
        _ = WakeSelfAsync();

        async Task WakeSelfAsync()
        {
            try
            {
                await this.AsReference<IConnectionGrain>().WakeAsync();
            }
            catch (Exception exception)
            {
                // A wake-up that never ran must not keep later nudges (the reminder's among them) from sending another.
                pendingNudge = null;

                // A call that timed out is still queued or running (a refresh waiting for a slot in a storm): not a failure.
                if (exception is not TimeoutException)
                {
                    LogNudgeFailed(logger, WorkspaceId, ConnectionId, exception.GetType().Name);
                }
            }
        }
    }

    /// <summary>One refresh at a time: every caller that arrives while one runs gets that refresh's result.</summary>
    private Task<CredentialsResult> JoinRefreshAsync(RefreshTrigger trigger)
    {
        if (refreshInFlight is { } running)
        {
            return running;
        }

        // A refresh with nothing to wait for (skipped, or the connection unusable) completes here, after its finally
        // already ran: kept as in flight, it would answer every later caller with this old result and none would refresh.
        var refresh = RunAndClearAsync();
        if (!refresh.IsCompleted)
        {
            refreshInFlight = refresh;
        }

        return refresh;

        async Task<CredentialsResult> RunAndClearAsync()
        {
            try
            {
                return await RefreshOnceAsync(trigger);
            }
            finally
            {
                refreshInFlight = null;
            }
        }
    }

    private async Task<CredentialsResult> RefreshOnceAsync(RefreshTrigger trigger, bool reloaded = false)
    {
        if (Unusable() is { } unusable)
        {
            return new CredentialsResult(null, unusable);
        }

        var now = time.GetUtcNow();

        // Before any skip: a connection whose client was deleted ends at its next token call, not only at its next refresh.
        var (app, clientGone) = await ConnectionAppAsync();
        if (clientGone is not null)
        {
            return await RequireReauthAsync(trigger, clientGone.Code, null, clientGone with { Code = ConnectionErrorCodes.ReauthRequired }, now);
        }

        if (RefreshPolicy.ShouldSkip(trigger, Schedule, now))
        {
            LogRefreshSkipped(logger, WorkspaceId, ConnectionId, trigger);
            return await CredentialsAsync();
        }

        using var activity = ViaSocketActivities.StartConnectionActivity(ViaSocketActivities.Names.Refresh, WorkspaceId, ConnectionId, S.PluginId, S.VersionId);
        activity?.SetTag(ViaSocketActivities.Attributes.Trigger, TriggerName(trigger));
        var version = await PinnedVersionAsync();
        if (version.Definition.RefreshToken is null)
        {
            return await RefreshUnavailableAsync(trigger, now);
        }

        if (RefreshTokenLifetime.IsExpired(S.RefreshTokenExpiresAt, now))
        {
            // Presenting a dead refresh token could only fail: the provider is not asked.
            return await RequireReauthAsync(
                trigger, ConnectionErrorCodes.RefreshTokenExpired, null,
                new ConnectionError(ConnectionErrorCodes.ReauthRequired, "The refresh token reached the end of its lifetime; the user must reconnect."),
                now);
        }

        // The slot is taken before the claim and held until new tokens are stored. Before the claim, because under load
        // the wait for a slot can outlast the claim's lifetime, and a lapsed claim lets a duplicate activation present
        // the same refresh token. Until stored, because once a rotating provider has answered, the stored refresh token
        // is dead until the new one is written: a crash of this silo in between loses the connection, and the limit
        // bounds how many that can be.
        using var slot = await refreshLimiter.EnterAsync(WorkspaceId, S.PluginId, S.VersionId);
        var claimedAt = time.GetUtcNow();
        NoteInterruptedRefresh(version, ClaimFence.InterruptedRefreshSentAt(claimedAt));
        var claim = await ClaimFence.ClaimAsync(claimedAt, WorkspaceId, ConnectionId);
        if (claim == RefreshClaim.Reloaded)
        {
            InvalidateCredentials();
        }

        if (claim != RefreshClaim.Claimed)
        {
            slot.Dispose();
            LogRefreshNotClaimed(logger, WorkspaceId, ConnectionId, trigger, claim);
        }

        switch (claim)
        {
            case RefreshClaim.Reloaded when !reloaded:
                // Someone else wrote since this activation loaded: decide again on what is stored now.
                return await RefreshOnceAsync(trigger, reloaded: true);
            case RefreshClaim.StorageDown:
                RecordRefreshFailed(trigger, transient: true, ConnectionErrorCodes.StorageUnavailable, null);
                var notStarted = new CredentialsResult(
                    null,
                    new ConnectionError(ConnectionErrorCodes.StorageUnavailable, "The refresh was not started: the database is unavailable, so a rotated refresh token could not be stored."),
                    NotStartedRetryAfter);
                return trigger == RefreshTrigger.Due ? await StoredTokenOrAsync(notStarted) : notStarted;
            case RefreshClaim.Reloaded or RefreshClaim.HeldElsewhere:
                if (Unusable() is { } gone)
                {
                    return new CredentialsResult(null, gone);
                }

                var elsewhere = new CredentialsResult(
                    null, new ConnectionError(ConnectionErrorCodes.RefreshInProgress, "Another activation of this connection is refreshing it; retry shortly."), NotStartedRetryAfter);
                return trigger == RefreshTrigger.OnDemand ? elsewhere : await StoredTokenOrAsync(elsewhere);
        }

        if (InterruptedVerdict(version, time.GetUtcNow()) == InterruptedRefreshVerdict.GraceOver)
        {
            ClaimFence.Release();
            slot.Dispose();
            return await RefreshInterruptedAsync(trigger, time.GetUtcNow());
        }

        // Once new tokens are in the state and until they are stored, reads (and a failed store, see StoredCredentials)
        // are served the old tokens' answer. Built now, before the provider answers: after it, every moment until the
        // store is one in which a killed silo loses the rotated refresh token.
        await CredentialsAsync();
        var authData = AuthData();
        var unsaved = unsavedRefresh = new UnsavedRefresh();
        var (result, requestedAt) = await SendRefreshAsync(version, authData, app);
        if (result.Failure is { } lost && AnswerLost(version, lost, requestedAt) && InterruptedVerdict(version, time.GetUtcNow()) == InterruptedRefreshVerdict.Replay)
        {
            // The provider may have rotated the token and its answer is gone: inside its reuse grace the stored token
            // works once more. Under a renewed claim, so a duplicate activation cannot join in while this one asks again.
            LogReplayingRefresh(logger, WorkspaceId, ConnectionId);
            var renewed = await ClaimFence.ClaimAsync(time.GetUtcNow(), WorkspaceId, ConnectionId);
            if (renewed != RefreshClaim.Claimed)
            {
                SettleUnsavedRefresh(stored: false);
                slot.Dispose();
                InvalidateCredentials();
                return await StoredTokenOrAsync(new CredentialsResult(
                    null, new ConnectionError(ConnectionErrorCodes.StorageUnavailable, "The refresh's answer was lost and asking again could not be fenced; retry shortly."), NotStartedRetryAfter));
            }

            // A fresh copy: the first run's context owns the other.
            (result, requestedAt) = await SendRefreshAsync(version, AuthData(), app);
        }

        // Every outcome below is persisted, which releases the claim.
        ClaimFence.Release();
        now = time.GetUtcNow();
        if (result.Failure is { } failure)
        {
            // No new tokens to store: the next refresh may go.
            SettleUnsavedRefresh(stored: false);
            slot.Dispose();
            return AnswerLost(version, failure, requestedAt) && InterruptedVerdict(version, now) == InterruptedRefreshVerdict.GraceOver
                ? await RefreshInterruptedAsync(trigger, now)
                : await RefreshFailedAsync(trigger, failure, now);
        }

        var (claims, idTokenError) = await RefreshedIdTokenAsync(version, authData, result.Result, app);
        if (idTokenError is not null)
        {
            // Not the connected account's token (another sub) or not the provider's: no tokens from this answer are used.
            SettleUnsavedRefresh(stored: false);
            slot.Dispose();
            return await RequireReauthAsync(trigger, idTokenError.Code, null, idTokenError with { Code = ConnectionErrorCodes.ReauthRequired }, now);
        }

        unsaved.NewTokensArrivedAt = time.GetTimestamp();
        var merged = AuthDataMerger.ApplyRefreshResult(authData, result.Result);
        if (claims is not null)
        {
            merged[AuthDataKeys.IdToken] = claims;
        }

        S.GrantedScopes = RequestedScopes.Granted(version.Definition.Authorization!, result.Result, null) is { } granted ? [.. granted] : S.GrantedScopes;
        var expiry = TokenLifetime.Compute(version, merged[AuthDataKeys.AccessTokenCode], requestedAt);
        var recovered = S.Status == ConnectionStatus.Degraded;
        var previousExpiry = S.ExpiresAt;
        var refreshTokenLifetime = RefreshTokenLifetime.Compute(version.Definition.RefreshTokenPolicy, result.Result, new(S.RefreshTokenExpiresAt, S.ReconnectSoonAt), requestedAt);
        S.AuthData = JsonSerializer.SerializeToUtf8Bytes(merged);
        (S.ExpiresAt, S.RefreshAt, S.LastRefreshedAt) = (expiry.ExpiresAt, expiry.RefreshAt, now);
        (S.RefreshTokenExpiresAt, S.ReconnectSoonAt, S.RefreshInterruptedAt) = (refreshTokenLifetime.ExpiresAt, refreshTokenLifetime.ReconnectSoonAt, null);
        (S.Status, S.LastError, S.ConsecutiveRefreshFailures, S.NextRefreshAttemptAt) = (ConnectionStatus.Active, null, 0, null);
        S.Generation++;
        S.UpdatedAt = now;
        Record(recovered ? ConnectionEventKinds.Recovered : ConnectionEventKinds.Refreshed, null);

        // Persist before publish: the rotated refresh token is durable before anyone sees the new access token.
        try
        {
            await PersistAsync();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            RecordRefreshFailed(trigger, transient: true, ConnectionErrorCodes.StorageUnavailable, null);
            return HoldUnsavedRefresh(exception);
        }

        // The new tokens are durable; scheduling the next refresh and rendering credentials need no slot.
        slot.Dispose();
        RecordRefreshSucceeded(trigger, previousExpiry - now);
        if (recovered && trigger != RefreshTrigger.ProviderRecovered)
        {
            // The provider answers again: the other connections of this version waiting out backoffs need not.
            GrainFactory.GetGrain<IProviderRecoveryGrain>(GrainKeys.AuthVersion(WorkspaceId, S.PluginId, S.VersionId)).ProviderAnsweredAsync().Ignore();
        }

        InvalidateCredentials();
        await ScheduleRefreshAsync();
        return await CredentialsAsync();
    }

    private async Task<CredentialsResult> RefreshFailedAsync(RefreshTrigger trigger, BlockFailure failure, DateTimeOffset now)
    {
        var error = new ConnectionError(ConnectionErrorCodes.RefreshFailed, $"Refresh Token API failed: {failure.Message}", failure.HttpStatus);
        CountRefreshFailure(now);
        S.LastError = error;
        S.UpdatedAt = now;
        Record(ConnectionEventKinds.RefreshFailed, failure.Code);
        // A refusal said in the body (invalid_grant in a 200, a declared rule, BlockError.permanent) counts like one said by status.
        var signal = new RefreshFailureSignal(failure.IsRefusal, failure.IsTransient, failure.HttpStatus);
        if (RefreshPolicy.Classify(signal) == RefreshFailureClass.ReauthRequired)
        {
            // A refusal of a replayed token says the interrupted refresh rotated it and the new one is lost.
            var reason = S.RefreshInterruptedAt is null ? failure.Code : ConnectionErrorCodes.RefreshInterrupted;
            return await RequireReauthAsync(trigger, reason, failure.HttpStatus, error with { Code = ConnectionErrorCodes.ReauthRequired }, now);
        }

        RecordRefreshFailed(trigger, transient: true, failure.Code, failure.HttpStatus);
        S.ConsecutiveRefreshFailures++;
        S.NextRefreshAttemptAt = RefreshPolicy.RetryAt(S.ConsecutiveRefreshFailures, failure.RetryAfter, now, Random.Shared.NextDouble);
        if (S.Status == ConnectionStatus.Active)
        {
            S.Status = ConnectionStatus.Degraded;
            Record(ConnectionEventKinds.Degraded, failure.Code);
        }

        await PersistAsync();
        InvalidateCredentials();
        await ScheduleRefreshAsync();

        // A transiently failing provider must not cut readers off while the current token is still valid; whoever
        // asked for this refresh learns that nothing was refreshed, and when trying again can help.
        var failed = new CredentialsResult(null, error, S.NextRefreshAttemptAt - now);
        return trigger == RefreshTrigger.OnDemand ? failed : await StoredTokenOrAsync(failed);
    }

    private async Task<CredentialsResult> RefreshUnavailableAsync(RefreshTrigger trigger, DateTimeOffset now) =>
        S.ExpiresAt is { } expiresAt && now >= expiresAt
            ? await RequireReauthAsync(
                trigger, ConnectionErrorCodes.RefreshUnavailable, null,
                new ConnectionError(ConnectionErrorCodes.ReauthRequired, "The token expired and this auth version has no Refresh Token API; the user must reconnect."),
                now)
            : trigger == RefreshTrigger.OnDemand
                ? new CredentialsResult(null, new ConnectionError(ConnectionErrorCodes.RefreshUnavailable, "This auth version has no Refresh Token API; the token is used until it expires."))
                : await CredentialsAsync();

    /// <summary>
    /// The one way into <see cref="ConnectionStatus.ReauthRequired"/>: the refresh failed for good, only the user can
    /// fix it, so the connection stops refreshing and serves nothing until it is connected again.
    /// </summary>
    /// <param name="reason">Why: a failure code, recorded in metrics, the span and the history.</param>
    private async Task<CredentialsResult> RequireReauthAsync(RefreshTrigger trigger, string reason, int? providerStatus, ConnectionError error, DateTimeOffset now)
    {
        RecordRefreshFailed(trigger, transient: false, reason, providerStatus);
        S.Status = ConnectionStatus.ReauthRequired;
        S.LastError = error;
        S.UpdatedAt = now;
        Record(ConnectionEventKinds.ReauthRequired, reason);
        await PersistAsync();
        InvalidateCredentials();
        await UnregisterRefreshReminderAsync();
        return new CredentialsResult(null, S.LastError);
    }

    private void CountRefreshFailure(DateTimeOffset now)
    {
        var today = DateOnly.FromDateTime(now.UtcDateTime);
        (S.RefreshFailuresOnDay, S.RefreshFailureDay) = (S.RefreshFailureDay == today ? S.RefreshFailuresOnDay + 1 : 1, today);
    }

    private void RecordRefreshSucceeded(RefreshTrigger trigger, TimeSpan? timeBeforeExpiry)
    {
        metrics.RefreshSucceeded(TriggerName(trigger), timeBeforeExpiry);
        RefreshActivity().SetOutcome(null);
    }

    private void RecordRefreshFailed(RefreshTrigger trigger, bool transient, string reason, int? providerStatus)
    {
        metrics.RefreshFailed(TriggerName(trigger), transient, reason, providerStatus);
        RefreshActivity().SetOutcome(reason, providerStatus);
    }

    /// <summary>The refresh span this call runs in, if one is being recorded.</summary>
    private static Activity? RefreshActivity() =>
        Activity.Current is { OperationName: ViaSocketActivities.Names.Refresh } current && current.Source == ViaSocketActivities.Source ? current : null;

    private static string TriggerName(RefreshTrigger trigger) => trigger switch
    {
        RefreshTrigger.Due => "due",
        RefreshTrigger.OnDemand => "on_demand",
        RefreshTrigger.ProviderRecovered => "provider_recovered",
        RefreshTrigger.Interrupted => "interrupted",
        _ => "rejected",
    };

    [LoggerMessage(Level = LogLevel.Debug, Message = "Refresh of connection {WorkspaceId}/{ConnectionId} ({Trigger}) skipped: not due")]
    private static partial void LogRefreshSkipped(ILogger logger, string workspaceId, string connectionId, RefreshTrigger trigger);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Refresh of connection {WorkspaceId}/{ConnectionId} ({Trigger}) not started: claim {Claim}")]
    private static partial void LogRefreshNotClaimed(ILogger logger, string workspaceId, string connectionId, RefreshTrigger trigger, RefreshClaim claim);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refresh of connection {WorkspaceId}/{ConnectionId} could not be started in its own turn ({ErrorType}); the next trigger retries")]
    private static partial void LogNudgeFailed(ILogger logger, string workspaceId, string connectionId, string errorType);
}
