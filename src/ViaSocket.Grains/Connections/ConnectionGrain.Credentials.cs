using ViaSocket.Connections;
using ViaSocket.Domain.Connections;
using ViaSocket.Domain.Templates;

namespace ViaSocket.Grains.Connections;

/// <summary>Credentials: rendering them once per token change, serving reads while a refresh runs, and sharing the settled answer with the local front-end.</summary>
internal sealed partial class ConnectionGrain
{
    private CredentialsResult? cachedCredentials;

    // The answer published to the local front-end, and when its entry is due for renewal.
    private CredentialsResult? sharedAnswer;
    private DateTimeOffset sharedAnswerRenewAt;

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
                ? new CredentialsResult(
                    null,
                    new ConnectionError(
                        ConnectionErrorCodes.RefreshFailed,
                        $"The token has expired and refreshing it keeps failing; the next attempt is at {retryAt:O}. {S.LastError?.Message}".TrimEnd(),
                        S.LastError?.ProviderStatus),
                    retryAt - now)
                : await JoinRefreshAsync(RefreshTrigger.Due);
        }

        if (IsRefreshDue(now))
        {
            NudgeRefresh();
        }

        return await CredentialsAsync();
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
        var (app, clientGone) = await ConnectionAppAsync();
        if (clientGone is not null)
        {
            // Not cached: the refresh this starts moves the connection to reauth_required, and reads then say so.
            NudgeRefresh(RefreshTrigger.Rejected);
            return new CredentialsResult(null, clientGone);
        }

        try
        {
            var context = ConnectionContext.Create(version, AuthData(), S.RedirectUri, null, scopes: S.RequestedScopes, app: app);
            var rendered = version.Credentials.Build(context, evaluator);

            // An empty body is the one shared literal rather than a string of its own in every active connection.
            var body = rendered.Body.Count == 0 ? "{}" : rendered.Body.ToJsonString();
            cachedCredentials = new CredentialsResult(
                new ConnectionCredentials(
                    S.Status, rendered.Headers, rendered.Query, body, S.ExpiresAt, version.RenderAllowedUrls(context, evaluator), version.RefreshOnStatus, S.Generation,
                    RefreshOnConditions(version),
                    version.RenderBaseUrl(context, evaluator)),
                null);
        }
        catch (TemplateRenderException exception)
        {
            cachedCredentials = new CredentialsResult(null, new ConnectionError(ConnectionErrorCodes.TemplateFailed, exception.Message));
        }

        return cachedCredentials;
    }

    private static IReadOnlyList<RefreshOnCondition> RefreshOnConditions(CompiledAuthVersion version) =>
        version.Definition.RefreshOn.Count == 0 ? [] : [.. version.Definition.RefreshOn.Select(rule => new RefreshOnCondition(rule.Status, rule.Match))];

    /// <summary>
    /// The stored token's credentials while it is still fit to hand out now; otherwise <paramref name="failed"/>. Judged
    /// on the clock at the moment of answering: the writes before it can take longer than the token had left.
    /// </summary>
    private async ValueTask<CredentialsResult> StoredTokenOrAsync(CredentialsResult failed) =>
        TokenLifetime.TooCloseToExpiry(S.ExpiresAt, time.GetUtcNow()) ? failed : await CredentialsAsync();

    private void InvalidateCredentials()
    {
        cachedCredentials = null;
        WithdrawSharedCredentials();
    }
}
