using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using ViaSocket.Connections;
using ViaSocket.Grains.Connections;
using ViaSocket.Server.Tests.Infrastructure;
using ViaSocket.TestProvider;

namespace ViaSocket.Server.Tests.Lifecycle;

/// <summary>
/// Credential reads interleave with refreshes, whatever started them, so a read can arrive while a refresh is still
/// storing its result. At that moment the stored state holds the new token while the activation's cached answer is
/// the old one: when that one has expired the read must wait for the refresh, never serve what was cached; while it
/// is still valid the read is answered with it at once, instead of waiting for the provider.
/// </summary>
public sealed class RefreshInterleavingTests(RefreshInterleavingTests.Fixture fixture) : IClassFixture<RefreshInterleavingTests.Fixture>
{
    [Fact]
    public async Task A_read_arriving_while_a_refresh_stores_its_result_waits_for_the_new_token_instead_of_the_expired_one()
    {
        const string clientId = "interleaved-read";
        var connectionId = await fixture.Flow.ConnectOwnClientAsync(clientId);
        var expired = await fixture.Flow.AccessTokenAsync(connectionId);

        // A degraded connection publishes "recovered" when its next refresh succeeds: that publication is the last
        // step of storing the refresh, and the gate holds the refresh there.
        fixture.Provider.FailNextTokenRequests(1, 503);
        using (var failed = await fixture.Flow.Api.PostAsync($"/v1/connections/{connectionId}/refresh", null))
        {
            await Problem.AssertRetryLaterAsync(failed, ConnectionErrorCodes.RefreshFailed);
        }

        // The background triggers (reminder, overdue sweep) are late, as under load, so the first read after expiry is
        // what starts the refresh. Views in between keep the activation and its cached answer from being collected.
        fixture.LateTriggers.Connections.Add(connectionId);
        for (var minutes = 0; minutes < 61; minutes += 10)
        {
            fixture.Time.Advance(TimeSpan.FromMinutes(Math.Min(10, 61 - minutes)));
            await fixture.Flow.GetJsonAsync($"/v1/connections/{connectionId}");
        }

        var held = fixture.Gate.HoldNext(connectionId, ConnectionEventKinds.Recovered);
        var refreshingRead = fixture.Flow.AccessTokenAsync(connectionId);
        await held.WaitAsync(TimeSpan.FromSeconds(20));

        var interleavedRead = fixture.Flow.AccessTokenAsync(connectionId);
        await Task.WhenAny(interleavedRead, Task.Delay(TimeSpan.FromMilliseconds(500)));
        var answeredWhileStoring = interleavedRead.IsCompleted;
        fixture.Gate.Release();

        Assert.False(answeredWhileStoring, "The read was answered from the cache while the refresh was still storing the new token.");
        var refreshed = await refreshingRead;
        Assert.Equal(refreshed, await interleavedRead);
        Assert.NotEqual(expired, refreshed);
        Assert.True(fixture.Provider.IsAccessTokenActive(refreshed));
        Assert.Equal(2, fixture.Provider.RefreshGrantLog.Count(r => r.ClientId == clientId));
    }

    [Fact]
    public async Task A_failed_refresh_that_takes_longer_to_store_than_the_token_had_left_does_not_answer_with_the_expired_token()
    {
        // A 20-s token: the clock moves past its expiry in less than a grain call's time-out, so the call is not retried.
        var connectionId = await fixture.Flow.ConnectOwnClientAsync("slow-failure-store", c => c with { AccessTokenLifetime = TimeSpan.FromSeconds(20) });
        fixture.LateTriggers.Connections.Add(connectionId);

        // The refresh starts with the token still valid; the provider fails it, and storing that failure (the database
        // under load) lasts until the token has expired.
        fixture.Provider.FailNextTokenRequests(1, 503);
        var held = fixture.Gate.HoldNext(connectionId, ConnectionEventKinds.RefreshFailed);
        var refresh = fixture.Flow.Api.PostAsync($"/v1/connections/{connectionId}/refresh", null);
        await held.WaitAsync(TimeSpan.FromSeconds(20));
        fixture.Time.Advance(TimeSpan.FromSeconds(16));
        fixture.Gate.Release();

        using var answer = await refresh;
        await Problem.AssertRetryLaterAsync(answer, ConnectionErrorCodes.RefreshFailed);
    }

    [Fact]
    public async Task A_refresh_skipped_as_not_needed_does_not_answer_for_every_later_one()
    {
        var connectionId = await fixture.Flow.ConnectOwnClientAsync("skipped-refresh");
        fixture.LateTriggers.Connections.Add(connectionId);

        // The second on-demand refresh comes within the fresh-token window: it is answered with the token the first one
        // got, without waiting for anything.
        for (var attempt = 0; attempt < 2; attempt++)
        {
            using var refreshed = await fixture.Flow.Api.PostAsync($"/v1/connections/{connectionId}/refresh", null);
            Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        }

        var fresh = await fixture.Flow.AccessTokenAsync(connectionId);
        fixture.Time.Advance(TimeSpan.FromMinutes(61));

        var afterExpiry = await fixture.Flow.AccessTokenAsync(connectionId);
        Assert.NotEqual(fresh, afterExpiry);
        Assert.True(fixture.Provider.IsAccessTokenActive(afterExpiry));
    }

    /// <summary>How a refresh the caller does not wait for starts: the token is due for refresh but still valid.</summary>
    public enum BackgroundTrigger
    {
        ReminderTick,
        OverdueSweepWakeUp,
        ReadFindingItDue,
    }

    // readBefore false: the activation has no answer cached when the refresh starts.
    [Theory]
    [InlineData(BackgroundTrigger.ReminderTick, true)]
    [InlineData(BackgroundTrigger.OverdueSweepWakeUp, true)]
    [InlineData(BackgroundTrigger.ReadFindingItDue, true)]
    [InlineData(BackgroundTrigger.ReminderTick, false)]
    [InlineData(BackgroundTrigger.OverdueSweepWakeUp, false)]
    public async Task A_read_while_a_background_refresh_waits_for_the_provider_is_answered_at_once_with_the_still_valid_token(BackgroundTrigger trigger, bool readBefore)
    {
        var clientId = $"background-refresh-{trigger}-{readBefore}";
        var connectionId = await fixture.Flow.ConnectOwnClientAsync(clientId);
        var current = readBefore ? await fixture.Flow.AccessTokenAsync(connectionId) : null;
        var providerAnswer = await HoldTheRefreshAndMakeItDueAsync(clientId, connectionId);
        var grain = fixture.Host.Grains.GetGrain<IConnectionGrain>(GrainKeys.Connection("default", connectionId));
        var started = trigger switch
        {
            BackgroundTrigger.ReminderTick => grain.AsReference<IRemindable>().ReceiveReminder(ConnectionGrain.RefreshReminderName, default),
            BackgroundTrigger.OverdueSweepWakeUp => grain.WakeAsync(),
            _ => fixture.Flow.AccessTokenAsync(connectionId),
        };
        await providerAnswer.Reached.WaitAsync(TimeSpan.FromSeconds(20));

        var read = fixture.Flow.AccessTokenAsync(connectionId);
        var answeredWhileRefreshing = await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(5))) == read;
        providerAnswer.Release();
        await started;

        Assert.True(answeredWhileRefreshing, "The read waited for the provider although the stored token was still valid.");
        current ??= await read;
        Assert.Equal(current, await read);
        var refreshed = await ConnectFlow.ReadUntilChangedAsync(() => fixture.Flow.AccessTokenAsync(connectionId), current, DateTimeOffset.UtcNow.AddSeconds(5));
        Assert.NotEqual(current, refreshed);
        Assert.True(fixture.Provider.IsAccessTokenActive(refreshed));
        Assert.Equal(1, fixture.Provider.RefreshGrantLog.Count(r => r.ClientId == clientId));
    }

    [Fact]
    public async Task A_disconnect_during_a_background_refresh_waits_for_it_and_the_connection_ends_revoked()
    {
        const string clientId = "disconnect-during-background-refresh";
        var connectionId = await fixture.Flow.ConnectOwnClientAsync(clientId);
        var providerAnswer = await HoldTheRefreshAndMakeItDueAsync(clientId, connectionId);
        var wake = fixture.Host.Grains.GetGrain<IConnectionGrain>(GrainKeys.Connection("default", connectionId)).WakeAsync();
        await providerAnswer.Reached.WaitAsync(TimeSpan.FromSeconds(20));

        // Interleaving with the refresh would revoke the old grant and then store the new tokens of a disconnected connection.
        var disconnect = fixture.Flow.Api.DeleteAsync($"/v1/connections/{connectionId}");
        var disconnectedWhileRefreshing = await Task.WhenAny(disconnect, Task.Delay(TimeSpan.FromSeconds(1))) == disconnect;
        providerAnswer.Release();
        await wake;
        using var disconnected = await disconnect;

        Assert.False(disconnectedWhileRefreshing, "The disconnect ran while the refresh was waiting for the provider.");
        Assert.Equal(HttpStatusCode.OK, disconnected.StatusCode);
        Assert.Equal("revoked", (string?)(await fixture.Flow.GetJsonAsync($"/v1/connections/{connectionId}"))["status"]);
        Assert.Equal(1, fixture.Provider.RefreshGrantLog.Count(r => r.ClientId == clientId));
    }

    /// <summary>
    /// Moves the clock just past the connection's refresh time: minutes before expiry, and within the overdue sweep's
    /// grace, so only the trigger a test fires starts the refresh. The provider keeps that refresh's answer until released.
    /// </summary>
    private async Task<TokenResponseHold> HoldTheRefreshAndMakeItDueAsync(string clientId, string connectionId)
    {
        var refreshAt = await fixture.Flow.NextRefreshAtAsync(connectionId);
        var providerAnswer = fixture.Provider.HoldNextIssuedTokens(clientId);
        fixture.Time.Advance(refreshAt - fixture.Time.GetUtcNow() + TimeSpan.FromSeconds(2));
        return providerAnswer;
    }

    /// <summary>
    /// The service on a fake clock, with lifecycle events passing through a gate the test can close, and the background
    /// refresh triggers of chosen connections dropped, as when the reminder service and the overdue sweep run late.
    /// </summary>
    public sealed class Fixture : GatedFakeClockServiceFixture
    {
        public BackgroundTriggerDropper LateTriggers { get; } = new();

        protected override void ConfigureServices(IServiceCollection services)
        {
            base.ConfigureServices(services);
            services.AddSingleton<IIncomingGrainCallFilter>(LateTriggers);
        }
    }

    /// <summary>Swallows reminder ticks and overdue-sweep wake-ups addressed to the listed connections.</summary>
    public sealed class BackgroundTriggerDropper : IIncomingGrainCallFilter
    {
        public ConcurrentBag<string> Connections { get; } = [];

        public Task Invoke(IIncomingGrainCallContext context) =>
            context.ImplementationMethod.Name is nameof(IRemindable.ReceiveReminder) or nameof(IConnectionGrain.WakeAsync)
            && Connections.Any(id => context.TargetId.ToString().EndsWith(id, StringComparison.Ordinal))
                ? Task.CompletedTask
                : context.Invoke();
    }
}
