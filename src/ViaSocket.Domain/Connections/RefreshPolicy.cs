namespace ViaSocket.Domain.Connections;

/// <summary>Why a refresh was asked for, which decides when it is skipped.</summary>
public enum RefreshTrigger
{
    /// <summary>The refresh time passed (reminder, activation, a read): skipped unless still due.</summary>
    Due,
    /// <summary>Someone asked: skipped when a refresh just succeeded.</summary>
    OnDemand,
    /// <summary>A provider rejected the current token: always refreshes.</summary>
    Rejected,
    /// <summary>The provider answered another connection of the version after an outage: skipped unless still degraded.</summary>
    ProviderRecovered,
    /// <summary>An activation found a refresh of another one that was sent and never stored: always refreshes.</summary>
    Interrupted,
}

/// <summary>What a failed refresh leads to.</summary>
public enum RefreshFailureClass
{
    /// <summary>Worth retrying: the connection is degraded and retries with backoff, serving its token while it lasts.</summary>
    Transient,
    /// <summary>The provider refused the grant: only the user can fix it, so the connection needs reauthorization.</summary>
    ReauthRequired,
}

/// <summary>The refresh timing of a connection, as plain values from its state.</summary>
/// <param name="Refreshable">The connection is active or degraded: it holds tokens a refresh may renew.</param>
/// <param name="Degraded">Refreshing has been failing transiently.</param>
/// <param name="ExpiresAt">When the access token expires; null when never.</param>
/// <param name="RefreshAt">When the token is due for refresh; null when never.</param>
/// <param name="RetryAt">While backing off after failures: the earliest next attempt.</param>
/// <param name="LastRefreshedAt">When the last refresh succeeded.</param>
/// <param name="RefreshTokenExpiresAt">When the refresh token dies; null when unknown.</param>
/// <param name="ReconnectSoonAt">When <c>reconnect_soon</c> is due; null when not (any more).</param>
public readonly record struct RefreshSchedule(
    bool Refreshable, bool Degraded, DateTimeOffset? ExpiresAt, DateTimeOffset? RefreshAt, DateTimeOffset? RetryAt, DateTimeOffset? LastRefreshedAt,
    DateTimeOffset? RefreshTokenExpiresAt = null, DateTimeOffset? ReconnectSoonAt = null);

/// <summary>A failed Refresh Token API run as the policy judges it.</summary>
/// <param name="ProviderStatus">The provider answered and meant it: a non-2xx status, or a refusal in its body (not a network, timeout or script failure).</param>
/// <param name="IsTransient">The block runner judged the failure worth retrying (5xx, 429, network, timeout).</param>
/// <param name="HttpStatus">The provider's status, when it answered.</param>
public readonly record struct RefreshFailureSignal(bool ProviderStatus, bool IsTransient, int? HttpStatus);

/// <summary>When a connection refreshes, when a refresh is skipped, and what a failed one leads to.</summary>
public static class RefreshPolicy
{
    /// <summary>An on-demand refresh arriving this soon after a successful one is answered with the fresh token instead.</summary>
    public static readonly TimeSpan FreshTokenWindow = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The refresh time has passed and no backoff holds the attempt back, or the refresh token of a token that needs
    /// refreshing died (the attempt then ends the connection without asking the provider).
    /// </summary>
    public static bool IsDue(RefreshSchedule schedule, DateTimeOffset now) =>
        schedule.Refreshable
        && schedule.RefreshAt is { } refreshAt
        && ((now >= refreshAt && (schedule.RetryAt is not { } retryAt || now >= retryAt))
            || RefreshTokenLifetime.IsExpired(schedule.RefreshTokenExpiresAt, now));

    /// <summary>
    /// When the next refresh attempt is due: the refresh time, or later while backing off after failures; at the
    /// latest when the refresh token of a token that needs refreshing dies.
    /// </summary>
    public static DateTimeOffset? NextAttemptAt(RefreshSchedule schedule) =>
        schedule.Refreshable
            ? Earlier(Later(schedule.RefreshAt, schedule.RetryAt), schedule.RefreshAt is null ? null : schedule.RefreshTokenExpiresAt)
            : null;

    /// <summary>When the connection's one reminder must next fire: the next attempt, or the <c>reconnect_soon</c> warning if sooner.</summary>
    public static DateTimeOffset? NextWakeAt(RefreshSchedule schedule) =>
        schedule.Refreshable ? Earlier(NextAttemptAt(schedule), schedule.ReconnectSoonAt) : null;

    /// <summary>The <c>reconnect_soon</c> warning is due.</summary>
    public static bool IsReconnectSoonDue(RefreshSchedule schedule, DateTimeOffset now) =>
        schedule.Refreshable && schedule.ReconnectSoonAt is { } warnAt && now >= warnAt;

    /// <summary>Whether a refresh asked for by <paramref name="trigger"/> has nothing to do and the current token is served.</summary>
    public static bool ShouldSkip(RefreshTrigger trigger, RefreshSchedule schedule, DateTimeOffset now) => trigger switch
    {
        RefreshTrigger.Due => !IsDue(schedule, now) && !TokenLifetime.TooCloseToExpiry(schedule.ExpiresAt, now),
        RefreshTrigger.OnDemand => schedule.LastRefreshedAt is { } last && now - last < FreshTokenWindow,
        RefreshTrigger.ProviderRecovered => !schedule.Degraded,
        _ => false,
    };

    /// <summary>
    /// A provider that answered with a status it means (invalid_grant or another 4xx) refused the grant; anything
    /// else (5xx, 429, network, timeout, a script failure) may pass.
    /// </summary>
    public static RefreshFailureClass Classify(RefreshFailureSignal failure) =>
        failure.ProviderStatus && !failure.IsTransient ? RefreshFailureClass.ReauthRequired : RefreshFailureClass.Transient;

    /// <summary>When to retry after the <paramref name="consecutiveFailures"/>th transient failure in a row.</summary>
    /// <param name="random">Uniform in [0, 1), for the backoff's jitter.</param>
    public static DateTimeOffset RetryAt(int consecutiveFailures, TimeSpan? retryAfter, DateTimeOffset now, Func<double> random) =>
        now + RefreshBackoff.Delay(consecutiveFailures, retryAfter, random);

    private static DateTimeOffset? Earlier(DateTimeOffset? first, DateTimeOffset? second) =>
        first is not { } a ? second : second is not { } b || a <= b ? a : b;

    private static DateTimeOffset? Later(DateTimeOffset? first, DateTimeOffset? second) =>
        first is not { } a ? second : second is not { } b || a >= b ? a : b;
}
