using System.Net;
using Microsoft.Extensions.DependencyInjection;
using ViaSocket.Connections;
using ViaSocket.Grains.Connections;
using ViaSocket.Server.Tests.Infrastructure;

namespace ViaSocket.Server.Tests.Lifecycle;

/// <summary>
/// The credentials a connection activation shares with the front-end in its own process: what it holds is exactly
/// the grain's answer, and it is gone the moment that answer would change.
/// </summary>
public sealed class CredentialFastPathTests(FakeClockServiceFixture fixture) : IClassFixture<FakeClockServiceFixture>
{
    private const string WorkspaceId = "default";

    private ConnectFlow Flow => fixture.Flow;

    private LocalCredentialCache Shared => fixture.Host.App.Services.GetRequiredService<LocalCredentialCache>();

    [Fact]
    public async Task A_read_shares_the_grains_answer_and_a_refresh_withdraws_it_before_the_new_token_is_served()
    {
        var connectionId = await ConnectAsync("fast-refresh");
        var first = await Flow.AccessTokenAsync(connectionId);

        Assert.True(Shared.TryGet(Key(connectionId), out var shared));
        Assert.Equal("Bearer " + first, shared.Headers["Authorization"]);

        fixture.Time.Advance(TimeSpan.FromSeconds(6));
        using (var refresh = await Flow.Api.PostAsync($"/v1/connections/{connectionId}/refresh", null))
        {
            Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
        }

        Assert.False(Shared.TryGet(Key(connectionId), out _));
        var second = await Flow.AccessTokenAsync(connectionId);
        Assert.NotEqual(first, second);
        Assert.True(fixture.Provider.IsAccessTokenActive(second));
        Assert.True(Shared.TryGet(Key(connectionId), out shared));
        Assert.Equal("Bearer " + second, shared.Headers["Authorization"]);
    }

    [Fact]
    public async Task The_shared_answer_is_written_exactly_as_the_grains_answer()
    {
        var connectionId = await ConnectAsync("fast-bytes");
        fixture.Time.Advance(LocalCredentialCache.MaxEntryAge);
        Assert.False(Shared.TryGet(Key(connectionId), out _));

        using var fromGrain = await Flow.Api.GetAsync($"/v1/connections/{connectionId}/credentials");
        Assert.True(Shared.TryGet(Key(connectionId), out _));
        using var fromShared = await Flow.Api.GetAsync($"/v1/connections/{connectionId}/credentials");

        Assert.Equal(HttpStatusCode.OK, fromShared.StatusCode);
        Assert.Equal(fromGrain.Content.Headers.ContentType, fromShared.Content.Headers.ContentType);
        Assert.Equal("no-store", fromShared.Headers.CacheControl?.ToString());
        Assert.Equal(await fromGrain.Content.ReadAsStringAsync(), await fromShared.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_shared_answer_lapses_after_its_maximum_age_and_when_the_refresh_falls_due()
    {
        var connectionId = await ConnectAsync("fast-lapse");
        await Flow.AccessTokenAsync(connectionId);
        Assert.True(Shared.TryGet(Key(connectionId), out _));

        fixture.Time.Advance(LocalCredentialCache.MaxEntryAge);
        Assert.False(Shared.TryGet(Key(connectionId), out _));

        var refreshAt = await Flow.NextRefreshAtAsync(connectionId);
        fixture.Time.Advance(refreshAt - fixture.Time.GetUtcNow() - TimeSpan.FromSeconds(3));
        await Flow.AccessTokenAsync(connectionId);
        Assert.True(Shared.TryGet(Key(connectionId), out _));

        // Well inside the maximum age, but the refresh is due: the next read must reach the grain.
        fixture.Time.Advance(TimeSpan.FromSeconds(3));
        Assert.False(Shared.TryGet(Key(connectionId), out _));
    }

    [Fact]
    public async Task Disconnecting_withdraws_the_shared_answer_so_the_next_read_is_refused()
    {
        var connectionId = await ConnectAsync("fast-revoke");
        await Flow.AccessTokenAsync(connectionId);
        Assert.True(Shared.TryGet(Key(connectionId), out _));

        using var disconnect = await Flow.Api.DeleteAsync($"/v1/connections/{connectionId}");
        using var credentials = await Flow.Api.GetAsync($"/v1/connections/{connectionId}/credentials");

        Assert.Equal(HttpStatusCode.OK, disconnect.StatusCode);
        Assert.False(Shared.TryGet(Key(connectionId), out _));
        Assert.Equal(HttpStatusCode.Conflict, credentials.StatusCode);
    }

    [Fact]
    public async Task A_deactivated_connection_shares_nothing()
    {
        var connectionId = await ConnectAsync("fast-deactivate");
        await Flow.AccessTokenAsync(connectionId);
        Assert.True(Shared.TryGet(Key(connectionId), out _));

        var grain = fixture.Host.Grains.GetGrain<IConnectionGrain>(Key(connectionId));
        await fixture.Host.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection([], TimeSpan.Zero);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Shared.TryGet(Key(connectionId), out _) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.False(Shared.TryGet(Key(connectionId), out _));
        Assert.True((await grain.GetCredentialsAsync()).Succeeded);
    }

    [Fact]
    public async Task An_engine_calling_the_grain_is_never_answered_with_a_withdrawn_answer()
    {
        var connectionId = await ConnectAsync("fast-grain");
        var grain = fixture.Host.Grains.GetGrain<IConnectionGrain>(Key(connectionId));
        var first = (await grain.GetCredentialsAsync()).Credentials!.Headers["Authorization"];
        Assert.Equal(first, (await grain.GetCredentialsAsync()).Credentials!.Headers["Authorization"]);

        fixture.Time.Advance(TimeSpan.FromSeconds(6));
        Assert.True((await grain.RefreshAsync()).Succeeded);
        var refreshed = (await grain.GetCredentialsAsync()).Credentials!.Headers["Authorization"];
        Assert.NotEqual(first, refreshed);
        Assert.True(fixture.Provider.IsAccessTokenActive(refreshed["Bearer ".Length..]));

        Assert.Null((await grain.DisconnectAsync()).Error);
        Assert.Equal(ConnectionErrorCodes.Revoked, (await grain.GetCredentialsAsync()).Error?.Code);
    }

    private static string Key(string connectionId) => GrainKeys.Connection(WorkspaceId, connectionId);

    private Task<string> ConnectAsync(string clientId) => Flow.ConnectOwnClientAsync(clientId);
}

/// <summary>
/// A refresh storm towards one provider queues at the version's concurrency limit instead of flooding it, and it
/// queues before the provider call: a slot is free again only once the refreshed tokens are stored.
/// </summary>
public sealed class RefreshConcurrencyTests(RefreshConcurrencyTests.LimitedRefreshFixture fixture) : IClassFixture<RefreshConcurrencyTests.LimitedRefreshFixture>
{
    private const string PluginId = "storm";
    private const string SingleSlotPluginId = "storm-store";
    private const int Limit = 2;

    [Fact]
    public async Task Concurrent_refreshes_of_one_version_never_exceed_its_limit_at_the_provider()
    {
        fixture.Provider.RegisterClient(ProviderDefinitions.Client(fixture.Host.CallbackUrl, PluginId));
        await fixture.Flow.PublishAsync(PluginId, "v1", ProviderDefinitions.JavaScript(fixture.Provider, clientId: PluginId));
        var connectionIds = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            connectionIds.Add((await fixture.Flow.ConnectAsync(PluginId, "v1", ownerId: $"user-{i}"))["connectionId"]);
        }

        // Past the window in which an on-demand refresh is answered with the token just issued.
        fixture.Time.Advance(TimeSpan.FromSeconds(10));
        fixture.Provider.TokenEndpointDelay = TimeSpan.FromMilliseconds(300);
        fixture.Provider.ResetPeakTokenRequestsInFlight();
        var refreshGrants = fixture.Provider.RefreshGrants;
        try
        {
            var responses = await Task.WhenAll(connectionIds.Select(id => fixture.Flow.Api.PostAsync($"/v1/connections/{id}/refresh", null)));
            Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        }
        finally
        {
            fixture.Provider.TokenEndpointDelay = TimeSpan.Zero;
        }

        Assert.Equal(refreshGrants + connectionIds.Count, fixture.Provider.RefreshGrants);
        Assert.Equal(Limit, fixture.Provider.PeakTokenRequestsInFlight);
    }

    [Fact]
    public async Task A_refresh_keeps_its_slot_until_its_result_is_stored_so_the_next_one_waits_before_calling_the_provider()
    {
        fixture.Provider.RegisterClient(ProviderDefinitions.Client(fixture.Host.CallbackUrl, SingleSlotPluginId));
        await fixture.Flow.PublishAsync(SingleSlotPluginId, "v1", ProviderDefinitions.JavaScript(fixture.Provider, clientId: SingleSlotPluginId));
        var storingId = (await fixture.Flow.ConnectAsync(SingleSlotPluginId, "v1", ownerId: "user-storing"))["connectionId"];
        var waitingId = (await fixture.Flow.ConnectAsync(SingleSlotPluginId, "v1", ownerId: "user-waiting"))["connectionId"];
        fixture.Time.Advance(TimeSpan.FromSeconds(10));

        // A degraded connection publishes "recovered" while it stores its next refreshed token: the gate holds it there.
        fixture.Provider.FailNextTokenRequests(1, 503);
        using (var failed = await fixture.Flow.Api.PostAsync($"/v1/connections/{storingId}/refresh", null))
        {
            await Problem.AssertRetryLaterAsync(failed, ConnectionErrorCodes.RefreshFailed);
        }

        var held = fixture.Gate.HoldNext(storingId, ConnectionEventKinds.Recovered);
        var storing = fixture.Flow.Api.PostAsync($"/v1/connections/{storingId}/refresh", null);
        await held.WaitAsync(TimeSpan.FromSeconds(20));
        var tokenRequests = fixture.Provider.TokenRequests;
        var waiting = fixture.Flow.Api.PostAsync($"/v1/connections/{waitingId}/refresh", null);
        await Task.WhenAny(waiting, Task.Delay(TimeSpan.FromMilliseconds(500)));
        var calledWhileStoring = fixture.Provider.TokenRequests - tokenRequests;
        fixture.Gate.Release();

        Assert.Equal(0, calledWhileStoring);
        using var stored = await storing;
        using var refreshed = await waiting;
        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        Assert.Equal(tokenRequests + 1, fixture.Provider.TokenRequests);
    }

    public sealed class LimitedRefreshFixture : GatedFakeClockServiceFixture
    {
        protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
        {
            ["ViaSocket:Refresh:MaxConcurrentPerVersion"] = "50",
            [$"ViaSocket:Refresh:VersionConcurrency:{PluginId}:v1"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [$"ViaSocket:Refresh:VersionConcurrency:{SingleSlotPluginId}:v1"] = "1",
        };
    }
}
