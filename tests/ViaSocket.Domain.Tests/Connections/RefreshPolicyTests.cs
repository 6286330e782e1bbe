using ViaSocket.Domain.Connections;

namespace ViaSocket.Domain.Tests.Connections;

public sealed class RefreshPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static RefreshSchedule Active(DateTimeOffset? refreshAt = null, DateTimeOffset? retryAt = null, DateTimeOffset? expiresAt = null, DateTimeOffset? lastRefreshedAt = null) =>
        new(Refreshable: true, Degraded: false, expiresAt, refreshAt, retryAt, lastRefreshedAt);

    [Fact]
    public void A_refresh_is_due_once_its_time_has_passed()
    {
        Assert.False(RefreshPolicy.IsDue(Active(refreshAt: Now.AddSeconds(1)), Now));
        Assert.True(RefreshPolicy.IsDue(Active(refreshAt: Now), Now));
        Assert.True(RefreshPolicy.IsDue(Active(refreshAt: Now.AddHours(-1)), Now));
    }

    [Fact]
    public void A_refresh_is_never_due_without_a_refresh_time_or_for_a_connection_holding_no_tokens()
    {
        Assert.False(RefreshPolicy.IsDue(Active(refreshAt: null), Now));
        Assert.False(RefreshPolicy.IsDue(Active(refreshAt: Now.AddHours(-1)) with { Refreshable = false }, Now));
        Assert.Null(RefreshPolicy.NextAttemptAt(Active(refreshAt: Now) with { Refreshable = false }));
    }

    [Fact]
    public void A_backoff_holds_a_due_refresh_back_until_the_retry_time()
    {
        var backingOff = Active(refreshAt: Now.AddMinutes(-10), retryAt: Now.AddMinutes(1));

        Assert.False(RefreshPolicy.IsDue(backingOff, Now));
        Assert.True(RefreshPolicy.IsDue(backingOff, Now.AddMinutes(1)));
    }

    [Fact]
    public void The_next_attempt_is_the_later_of_the_refresh_time_and_the_retry_time()
    {
        Assert.Equal(Now.AddMinutes(1), RefreshPolicy.NextAttemptAt(Active(refreshAt: Now, retryAt: Now.AddMinutes(1))));
        Assert.Equal(Now.AddHours(1), RefreshPolicy.NextAttemptAt(Active(refreshAt: Now.AddHours(1), retryAt: Now)));
        Assert.Equal(Now, RefreshPolicy.NextAttemptAt(Active(refreshAt: Now)));
        Assert.Equal(Now, RefreshPolicy.NextAttemptAt(Active(retryAt: Now)));
        Assert.Null(RefreshPolicy.NextAttemptAt(Active()));
    }

    [Fact]
    public void A_due_trigger_is_skipped_unless_due_or_the_token_is_too_close_to_expiry()
    {
        Assert.True(RefreshPolicy.ShouldSkip(RefreshTrigger.Due, Active(refreshAt: Now.AddMinutes(5), expiresAt: Now.AddMinutes(10)), Now));
        Assert.False(RefreshPolicy.ShouldSkip(RefreshTrigger.Due, Active(refreshAt: Now.AddMinutes(-1), expiresAt: Now.AddMinutes(10)), Now));

        // Not due (backing off) yet expiring: the token must not lapse while waiting.
        var expiring = Active(refreshAt: Now.AddMinutes(-5), retryAt: Now.AddMinutes(5), expiresAt: Now + TokenLifetime.ServingMargin);
        Assert.False(RefreshPolicy.ShouldSkip(RefreshTrigger.Due, expiring, Now));
    }

    [Fact]
    public void An_on_demand_refresh_right_after_a_successful_one_is_skipped()
    {
        Assert.True(RefreshPolicy.ShouldSkip(RefreshTrigger.OnDemand, Active(lastRefreshedAt: Now - RefreshPolicy.FreshTokenWindow + TimeSpan.FromMilliseconds(1)), Now));
        Assert.False(RefreshPolicy.ShouldSkip(RefreshTrigger.OnDemand, Active(lastRefreshedAt: Now - RefreshPolicy.FreshTokenWindow), Now));
        Assert.False(RefreshPolicy.ShouldSkip(RefreshTrigger.OnDemand, Active(), Now));
    }

    [Fact]
    public void A_provider_recovery_refreshes_only_a_degraded_connection_and_a_rejection_always_refreshes()
    {
        Assert.True(RefreshPolicy.ShouldSkip(RefreshTrigger.ProviderRecovered, Active(), Now));
        Assert.False(RefreshPolicy.ShouldSkip(RefreshTrigger.ProviderRecovered, Active() with { Degraded = true }, Now));
        Assert.False(RefreshPolicy.ShouldSkip(RefreshTrigger.Rejected, Active(refreshAt: Now.AddHours(1), lastRefreshedAt: Now), Now));
    }

    [Theory]
    [InlineData(true, false, 400)]
    [InlineData(true, false, 401)]
    [InlineData(true, false, 403)]
    public void A_provider_refusing_with_a_status_that_is_not_transient_requires_reauthorization(bool providerStatus, bool transient, int status) =>
        Assert.Equal(RefreshFailureClass.ReauthRequired, RefreshPolicy.Classify(new RefreshFailureSignal(providerStatus, transient, status)));

    [Theory]
    [InlineData(true, true, 503)]
    [InlineData(true, true, 429)]
    [InlineData(false, true, null)]
    [InlineData(false, false, null)]
    public void Every_other_failure_is_transient(bool providerStatus, bool transient, int? status) =>
        Assert.Equal(RefreshFailureClass.Transient, RefreshPolicy.Classify(new RefreshFailureSignal(providerStatus, transient, status)));

    [Fact]
    public void The_retry_time_backs_off_from_now_and_honours_the_providers_retry_after()
    {
        Assert.Equal(Now + RefreshBackoff.Delay(3, null, () => 0.5), RefreshPolicy.RetryAt(3, null, Now, () => 0.5));
        Assert.Equal(Now.AddHours(1), RefreshPolicy.RetryAt(1, TimeSpan.FromHours(1), Now, () => 0.5));
        Assert.True(RefreshPolicy.RetryAt(2, null, Now, () => 0) < RefreshPolicy.RetryAt(3, null, Now, () => 0));
    }

    [Fact]
    public void A_dead_refresh_token_makes_the_refresh_due_even_before_its_time_and_caps_the_next_attempt()
    {
        var schedule = Active(refreshAt: Now.AddHours(1)) with { RefreshTokenExpiresAt = Now.AddMinutes(10) };

        Assert.False(RefreshPolicy.IsDue(schedule, Now));
        Assert.True(RefreshPolicy.IsDue(schedule, Now.AddMinutes(10)));
        Assert.Equal(Now.AddMinutes(10), RefreshPolicy.NextAttemptAt(schedule));
    }

    [Fact]
    public void A_dead_refresh_token_does_not_matter_to_an_access_token_that_never_expires()
    {
        var schedule = Active(refreshAt: null) with { RefreshTokenExpiresAt = Now.AddMinutes(-1) };

        Assert.False(RefreshPolicy.IsDue(schedule, Now));
        Assert.Null(RefreshPolicy.NextAttemptAt(schedule));
    }

    [Fact]
    public void The_one_reminder_wakes_for_the_reconnect_soon_warning_when_it_comes_before_the_refresh()
    {
        var schedule = Active(refreshAt: Now.AddHours(1)) with { RefreshTokenExpiresAt = Now.AddDays(3), ReconnectSoonAt = Now.AddMinutes(5) };

        Assert.Equal(Now.AddMinutes(5), RefreshPolicy.NextWakeAt(schedule));
        Assert.Equal(Now.AddHours(1), RefreshPolicy.NextWakeAt(schedule with { ReconnectSoonAt = Now.AddHours(2) }));
        Assert.False(RefreshPolicy.IsReconnectSoonDue(schedule, Now));
        Assert.True(RefreshPolicy.IsReconnectSoonDue(schedule, Now.AddMinutes(5)));
        Assert.False(RefreshPolicy.IsReconnectSoonDue(schedule with { Refreshable = false }, Now.AddMinutes(5)));
        Assert.Null(RefreshPolicy.NextWakeAt(schedule with { Refreshable = false }));
    }

    [Fact]
    public void An_interrupted_refresh_is_never_skipped()
    {
        Assert.False(RefreshPolicy.ShouldSkip(RefreshTrigger.Interrupted, Active(refreshAt: Now.AddHours(1), lastRefreshedAt: Now), Now));
    }
}
