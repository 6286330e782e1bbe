using System.Diagnostics;
using System.Text.Json;
using Orleans.Storage;
using ViaSocket.Blocks;
using ViaSocket.Connections;
using ViaSocket.Domain;
using ViaSocket.Domain.Connections;
using ViaSocket.Domain.Definitions;
using ViaSocket.Domain.Templates;
using ViaSocket.Domain.Tokens;
using ViaSocket.Grains.Diagnostics;

namespace ViaSocket.Grains.Connections;

/// <summary>The token lifecycle: credentials, refresh (proactive, on demand, reactive), failures and disconnect.</summary>
internal sealed partial class ConnectionGrain
{
    public const string RefreshReminderName = "refresh";

    // Reminder periods cannot be shorter than a minute; the due time carries the precision, the period is only the
    // safety net that re-fires if a tick was lost.
    private static readonly TimeSpan ReminderPeriod = TimeSpan.FromMinutes(1);

    // An on-demand refresh arriving this soon after a successful one is answered with the fresh token instead.
    private static readonly TimeSpan FreshTokenWindow = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan PersistRetryInterval = TimeSpan.FromSeconds(2);

    // Longer than the outbound HTTP timeout, so a live claimant has answered or given up before its claim lapses.
    private static readonly TimeSpan RefreshClaimLifetime = TimeSpan.FromSeconds(45);

    private Task<CredentialsResult>? refreshInFlight;
    private IGrainTimer? persistRetry;
    private CredentialsResult? cachedCredentials;
    private RefreshTrigger? pendingNudge;

    // Set from a refresh request until a state write stores its outcome: the window in which a crash loses a refresh
    // token the provider rotated. An object only while it lasts, so idle activations carry one reference.
    private UnsavedRefresh? unsavedRefresh;

    // The answer published to the local front-end, and when its entry is due for renewal.
    private CredentialsResult? sharedAnswer;
    private DateTimeOffset sharedAnswerRenewAt;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        S.Loaded(sharedStrings);
        persistedStatus = state.RecordExists ? S.Status : null;

        // Orleans does not replay missed reminder ticks: a connection whose refresh fell due while no silo hosted it
        // refreshes as soon as it is activated again.
        if (IsRefreshDue(time.GetUtcNow()))
        {
            NudgeRefresh();
        }

        await base.OnActivateAsync(cancellationToken);
    }

    public Task<CredentialsResult> GetCredentialsAsync()
    {
        var started = time.GetTimestamp();

        // The hot path for engines calling the grain: the answer shared with the local front-end is handed out as it
        // is until its entry needs renewing; anything that changes the answer withdraws it first.
        if (sharedAnswer is { } shared && time.GetUtcNow() < sharedAnswerRenewAt)
        {
            metrics.CredentialsRequested(null, time.GetElapsedTime(started));
            return Task.FromResult(shared);
        }

        return AnswerCredentialsAsync(started);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Tokens still held unsaved are lost with the activation.
        SettleUnsavedRefresh(stored: false);
        WithdrawSharedCredentials();
        return base.OnDeactivateAsync(reason, cancellationToken);
    }

    private async Task<CredentialsResult> AnswerCredentialsAsync(long started)
    {
        var result = await ServeCredentialsAsync();
        metrics.CredentialsRequested(result.Error?.Code, time.GetElapsedTime(started));

        // Only a settled answer is shared: not while a refresh runs, a change waits to be written, or refreshed tokens
        // are held unsaved.
        if (result.Credentials is { } credentials && refreshInFlight is null && persistRetry is null && unpublished.Count == 0)
        {
            sharedAnswerRenewAt = localCredentials.Publish(ConnectionKey, credentials, NextRefreshAt());
            sharedAnswer = result;
        }

        return result;
    }

    /// <summary>Before anything that may change the answer: neither the front-end nor the hot path serves it again.</summary>
    private void WithdrawSharedCredentials()
    {
        sharedAnswer = null;
        localCredentials.Withdraw(ConnectionKey);
    }

    private async Task<CredentialsResult> ServeCredentialsAsync()
    {
        if (Unusable() is { } unusable)
        {
            return new CredentialsResult(null, unusable);
        }

        var now = time.GetUtcNow();

        // Reads interleave with a refresh. Until the refresh has new tokens the state holds the stored ones, and reads
        // are answered from them as at any time. While it stores new ones, the state holds tokens that are not durable
        // yet, and the answer the refresh cached from the old ones before changing the state is what may be served: the
        // read waits for the refresh once that answer is no longer fit to hand out.
        if (refreshInFlight is { } inFlight && cachedCredentials is { } old
            && (old.Credentials is not { } cached || TokenLifetime.TooCloseToExpiry(cached.ExpiresAt, now)))
        {
            return await inFlight;
        }

        if (TokenLifetime.TooCloseToExpiry(S.ExpiresAt, now))
        {
            // Never hand out an expired token: wait for (or start) the refresh. While backing off after provider
            // failures, answer at once: every read asking the provider again would be the storm the backoff prevents.
            return S.NextRefreshAttemptAt is { } retryAt && now < retryAt
                ? new CredentialsResult(null, new ConnectionError(
                    ConnectionErrorCodes.RefreshFailed,
                    $"The token has expired and refreshing it keeps failing; the next attempt is at {retryAt:O}. {S.LastError?.Message}".TrimEnd(),
                    S.LastError?.ProviderStatus))
                : await JoinRefreshAsync(RefreshTrigger.Due);
        }

        if (IsRefreshDue(now))
        {
            NudgeRefresh();
        }

        return await CredentialsAsync();
    }

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

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != RefreshReminderName)
        {
            return;
        }

        if (S.Status is not (ConnectionStatus.Active or ConnectionStatus.Degraded) || S.RefreshAt is null)
        {
            await UnregisterRefreshReminderAsync();
            return;
        }

        var due = IsRefreshDue(time.GetUtcNow());
        LogReminderTick(logger, WorkspaceId, ConnectionId, due);
        if (due)
        {
            NudgeRefresh();
        }
        else
        {
            await ScheduleRefreshAsync();
        }
    }

    public async Task<ConnectionOperationResult> DisconnectAsync()
    {
        if (!state.RecordExists)
        {
            return new ConnectionOperationResult(null, new ConnectionError(ConnectionErrorCodes.NotFound, "The connection does not exist."));
        }

        ConnectionError? revokeError = null;
        if (S.AuthData is not null && S.Status != ConnectionStatus.Revoked)
        {
            var version = await PinnedVersionAsync();
            if (version.Definition.RevokeToken is not null)
            {
                var authData = AuthData();
                var revoke = await RunBlockAsync(version, BlockKinds.RevokeToken, ConnectionContext.Create(version, authData, S.RedirectUri, null));
                if (revoke.Failure is { } failure)
                {
                    // The provider could not be told; the local wipe still happens, and the failure is reported.
                    revokeError = new ConnectionError(ConnectionErrorCodes.ProviderError, $"Revoke Token API failed: {failure.Message}", failure.HttpStatus);
                }
            }
        }

        S.AuthData = null;
        S.Attempt = null;
        (S.ExpiresAt, S.RefreshAt, S.NextRefreshAttemptAt) = (null, null, null);
        S.Status = ConnectionStatus.Revoked;
        S.LastError = revokeError;
        S.Generation++;
        S.UpdatedAt = time.GetUtcNow();
        Record(ConnectionEventKinds.Revoked, revokeError?.Code);
        await PersistAsync();
        InvalidateCredentials();
        await UnregisterRefreshReminderAsync();
        return new ConnectionOperationResult(View(), revokeError);
    }

    private bool IsRefreshDue(DateTimeOffset now) =>
        S.Status is ConnectionStatus.Active or ConnectionStatus.Degraded
        && S.RefreshAt is { } refreshAt && now >= refreshAt
        && (S.NextRefreshAttemptAt is not { } retryAt || now >= retryAt);

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
        var skip = trigger switch
        {
            RefreshTrigger.Due => !IsRefreshDue(now) && !TokenLifetime.TooCloseToExpiry(S.ExpiresAt, now),
            RefreshTrigger.OnDemand => S.LastRefreshedAt is { } last && now - last < FreshTokenWindow,
            RefreshTrigger.ProviderRecovered => S.Status != ConnectionStatus.Degraded,
            _ => false,
        };
        if (skip)
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

        // The slot is taken before the claim and held until new tokens are stored. Before the claim, because under load
        // the wait for a slot can outlast the claim's lifetime, and a lapsed claim lets a duplicate activation present
        // the same refresh token. Until stored, because once a rotating provider has answered, the stored refresh token
        // is dead until the new one is written: a crash of this silo in between loses the connection, and the limit
        // bounds how many that can be.
        using var slot = await refreshLimiter.EnterAsync(WorkspaceId, S.PluginId, S.VersionId);
        var claim = await ClaimRefreshAsync(time.GetUtcNow());
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
                var notStarted = new ConnectionError(ConnectionErrorCodes.StorageUnavailable, "The refresh was not started: the database is unavailable, so a rotated refresh token could not be stored.");
                return trigger == RefreshTrigger.Due ? await StoredTokenOrAsync(notStarted) : new CredentialsResult(null, notStarted);
            case RefreshClaim.Reloaded or RefreshClaim.HeldElsewhere:
                return Unusable() is { } gone
                    ? new CredentialsResult(null, gone)
                    : await StoredTokenOrAsync(new ConnectionError(ConnectionErrorCodes.StorageUnavailable, "Another activation of this connection is refreshing it; retry shortly."));
        }

        // Once new tokens are in the state and until they are stored, reads (and a failed store, see StoredCredentials)
        // are served the old tokens' answer. Built now, before the provider answers: after it, every moment until the
        // store is one in which a killed silo loses the rotated refresh token.
        await CredentialsAsync();
        var authData = AuthData();
        var requestedAt = time.GetUtcNow();
        var unsaved = unsavedRefresh = new UnsavedRefresh();
        metrics.RefreshSent();
        var result = await RunBlockAsync(version, BlockKinds.RefreshToken, ConnectionContext.Create(version, authData, S.RedirectUri, null));

        // Every outcome below is persisted, which releases the claim.
        (S.RefreshClaimHolder, S.RefreshClaimUntil) = (null, null);
        now = time.GetUtcNow();
        if (result.Failure is { } failure)
        {
            // No new tokens to store: the next refresh may go.
            SettleUnsavedRefresh(stored: false);
            slot.Dispose();
            return await RefreshFailedAsync(trigger, failure, now);
        }

        unsaved.NewTokensArrivedAt = time.GetTimestamp();
        var merged = AuthDataMerger.ApplyRefreshResult(authData, result.Result);
        var expiry = TokenLifetime.Compute(version, merged[AuthDataKeys.AccessTokenCode], requestedAt);
        var recovered = S.Status == ConnectionStatus.Degraded;
        var previousExpiry = S.ExpiresAt;
        S.AuthData = JsonSerializer.SerializeToUtf8Bytes(merged);
        (S.ExpiresAt, S.RefreshAt, S.LastRefreshedAt) = (expiry.ExpiresAt, expiry.RefreshAt, now);
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

    /// <summary>
    /// Fences the refresh token before it is sent. While the cluster heals from a lost silo, two activations of one
    /// connection can briefly coexist; both presenting the same refresh token to a rotating provider revokes the grant.
    /// The claim is a conditional write: if another activation wrote since this one loaded, the write fails and this one
    /// reloads and decides again; if a live activation holds a claim, this one serves what is stored instead.
    /// </summary>
    private async Task<RefreshClaim> ClaimRefreshAsync(DateTimeOffset now)
    {
        if (RefreshClaimedElsewhere(now))
        {
            return RefreshClaim.HeldElsewhere;
        }

        (S.RefreshClaimHolder, S.RefreshClaimUntil) = (RefreshClaimId, now + RefreshClaimLifetime);
        try
        {
            await state.WriteStateAsync();
            return RefreshClaim.Claimed;
        }
        catch (InconsistentStateException)
        {
            await state.ReadStateAsync();
            S.Loaded(sharedStrings);
            InvalidateCredentials();
            return RefreshClaim.Reloaded;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // A refresh token rotated now could not be stored: do not start one.
            (S.RefreshClaimHolder, S.RefreshClaimUntil) = (null, null);
            LogRefreshNotPersisted(logger, WorkspaceId, ConnectionId, exception.GetType().Name);
            return RefreshClaim.StorageDown;
        }
    }

    private bool RefreshClaimedElsewhere(DateTimeOffset now)
    {
        if (S.RefreshClaimHolder is not { } holder || holder == RefreshClaimId || S.RefreshClaimUntil is not { } until || now >= until)
        {
            return false;
        }

        // A claim of a silo the cluster declared dead (or never knew) is void: that refresh will never finish.
        SiloStatus status;
        try
        {
            status = membership.CurrentSnapshot.GetSiloStatus(SiloAddress.FromParsableString(holder.Split('|')[0]));
        }
        catch (FormatException)
        {
            return false;
        }

        return status is SiloStatus.Active or SiloStatus.Joining or SiloStatus.Created or SiloStatus.ShuttingDown or SiloStatus.Stopping;
    }

    private string RefreshClaimId => $"{localSilo.SiloAddress.ToParsableString()}|{GrainContext.ActivationId}";

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

    private async Task<CredentialsResult> RefreshFailedAsync(RefreshTrigger trigger, BlockFailure failure, DateTimeOffset now)
    {
        var error = new ConnectionError(ConnectionErrorCodes.RefreshFailed, $"Refresh Token API failed: {failure.Message}", failure.HttpStatus);
        CountRefreshFailure(now);
        S.LastError = error;
        S.UpdatedAt = now;
        Record(ConnectionEventKinds.RefreshFailed, failure.Code);
        if (failure.IsRefusal)
        {
            // The provider refused the grant (invalid_grant or another 4xx, or said so in a 200 body): only the user can fix it.
            RecordRefreshFailed(trigger, transient: false, failure.Code, failure.HttpStatus);
            S.Status = ConnectionStatus.ReauthRequired;
            S.LastError = error with { Code = ConnectionErrorCodes.ReauthRequired };
            Record(ConnectionEventKinds.ReauthRequired, failure.Code);
            await PersistAsync();
            InvalidateCredentials();
            await UnregisterRefreshReminderAsync();
            return new CredentialsResult(null, S.LastError);
        }

        RecordRefreshFailed(trigger, transient: true, failure.Code, failure.HttpStatus);
        S.ConsecutiveRefreshFailures++;
        S.NextRefreshAttemptAt = now + RefreshBackoff.Delay(S.ConsecutiveRefreshFailures, failure.RetryAfter, Random.Shared.NextDouble);
        if (S.Status == ConnectionStatus.Active)
        {
            S.Status = ConnectionStatus.Degraded;
            Record(ConnectionEventKinds.Degraded, failure.Code);
        }

        await PersistAsync();
        InvalidateCredentials();
        await ScheduleRefreshAsync();

        // A transiently failing provider must not cut callers off while the current token is still valid.
        return await StoredTokenOrAsync(error);
    }

    /// <summary>
    /// The stored token's credentials while it is still fit to hand out now; otherwise <paramref name="error"/>. Judged
    /// on the clock at the moment of answering: the writes before it can take longer than the token had left.
    /// </summary>
    private async ValueTask<CredentialsResult> StoredTokenOrAsync(ConnectionError error) =>
        TokenLifetime.TooCloseToExpiry(S.ExpiresAt, time.GetUtcNow()) ? new CredentialsResult(null, error) : await CredentialsAsync();

    private async Task<CredentialsResult> RefreshUnavailableAsync(RefreshTrigger trigger, DateTimeOffset now)
    {
        if (S.ExpiresAt is { } expiresAt && now >= expiresAt)
        {
            RecordRefreshFailed(trigger, transient: false, ConnectionErrorCodes.RefreshUnavailable, null);
            S.Status = ConnectionStatus.ReauthRequired;
            S.LastError = new ConnectionError(ConnectionErrorCodes.ReauthRequired, "The token expired and this auth version has no Refresh Token API; the user must reconnect.");
            S.UpdatedAt = now;
            Record(ConnectionEventKinds.ReauthRequired, ConnectionErrorCodes.RefreshUnavailable);
            await PersistAsync();
            InvalidateCredentials();
            await UnregisterRefreshReminderAsync();
            return new CredentialsResult(null, S.LastError);
        }

        return await CredentialsAsync();
    }

    /// <summary>Registers the durable reminder due at the next refresh (or retry) time; unregisters when none is due.</summary>
    private async Task ScheduleRefreshAsync()
    {
        var dueAt = NextRefreshAt();
        if (dueAt is null)
        {
            await UnregisterRefreshReminderAsync();
            return;
        }

        var dueIn = dueAt.Value - time.GetUtcNow();
        await this.RegisterOrUpdateReminder(RefreshReminderName, dueIn > TimeSpan.Zero ? dueIn : TimeSpan.Zero, ReminderPeriod);
    }

    private async Task UnregisterRefreshReminderAsync()
    {
        if (await this.GetReminder(RefreshReminderName) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    private void InvalidateCredentials()
    {
        cachedCredentials = null;
        WithdrawSharedCredentials();
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
        _ => "rejected",
    };

    private enum RefreshClaim
    {
        Claimed,
        /// <summary>A live activation elsewhere holds the claim: its refresh will store the new token.</summary>
        HeldElsewhere,
        /// <summary>The stored state had moved on; this activation reloaded it.</summary>
        Reloaded,
        /// <summary>The claim could not be written.</summary>
        StorageDown,
    }

    /// <summary>Why a refresh was asked for, which decides when it is skipped.</summary>
    private enum RefreshTrigger
    {
        /// <summary>The refresh time passed (reminder, activation, a read): skipped unless still due.</summary>
        Due,
        /// <summary>Someone asked: skipped when a refresh just succeeded.</summary>
        OnDemand,
        /// <summary>A provider rejected the current token: always refreshes.</summary>
        Rejected,
        /// <summary>The provider answered another connection of the version after an outage: skipped unless still degraded.</summary>
        ProviderRecovered,
    }

    /// <summary>The rendered credentials, built once per token change and then served from the activation.</summary>
    private async ValueTask<CredentialsResult> CredentialsAsync()
    {
        if (persistRetry is not null)
        {
            return StoredCredentials();
        }

        if (cachedCredentials is not null)
        {
            return cachedCredentials;
        }

        if (Unusable() is { } unusable)
        {
            return new CredentialsResult(null, unusable);
        }

        var version = await PinnedVersionAsync();
        try
        {
            var context = ConnectionContext.Create(version, AuthData(), S.RedirectUri, null);
            var rendered = version.Credentials.Build(context, evaluator);

            // An empty body is the one shared literal rather than a string of its own in every active connection.
            var body = rendered.Body.Count == 0 ? "{}" : rendered.Body.ToJsonString();
            cachedCredentials = new CredentialsResult(
                new ConnectionCredentials(S.Status, rendered.Headers, rendered.Query, body, S.ExpiresAt, version.RenderAllowedUrls(context, evaluator), version.RefreshOnStatus, S.Generation),
                null);
        }
        catch (TemplateRenderException exception)
        {
            cachedCredentials = new CredentialsResult(null, new ConnectionError(ConnectionErrorCodes.TemplateFailed, exception.Message));
        }

        return cachedCredentials;
    }
}
