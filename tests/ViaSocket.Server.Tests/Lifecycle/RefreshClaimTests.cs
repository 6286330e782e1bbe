using System.Net;
using Microsoft.Extensions.DependencyInjection;
using ViaSocket.Connections;
using ViaSocket.Server.Tests.Infrastructure;

namespace ViaSocket.Server.Tests.Lifecycle;

/// <summary>
/// The refresh token is fenced before it is sent: an activation that finds another live activation's claim in
/// storage (as a duplicate activation would during a silo's death) does not present the same refresh token.
/// </summary>
public sealed class RefreshClaimTests(RefreshClaimTests.Fixture fixture) : IClassFixture<RefreshClaimTests.Fixture>
{
    private ConnectFlow Flow => fixture.Flow;

    [Fact]
    public async Task A_claim_written_behind_the_activations_back_by_a_live_silo_stops_the_refresh_until_it_lapses()
    {
        var (connectionId, clientId) = await ConnectAsync("claim-live");
        var before = await Flow.AccessTokenAsync(connectionId);
        var liveSilo = fixture.Host.App.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToParsableString();

        // The activation stays loaded with the older version: its claim write must fail and make it reload.
        await PlantClaimAsync(connectionId, $"{liveSilo}|another-activation", fixture.Time.GetUtcNow() + TimeSpan.FromSeconds(45));
        fixture.Time.Advance(TimeSpan.FromSeconds(6));

        // Nothing was refreshed: the caller is told another activation is at it and to come back shortly.
        using (var held = await Flow.Api.PostAsync($"/v1/connections/{connectionId}/refresh", null))
        {
            await Problem.AssertRetryLaterAsync(held, ConnectionErrorCodes.RefreshInProgress);
        }

        Assert.Equal(before, await Flow.AccessTokenAsync(connectionId));
        Assert.Equal(0, RefreshCalls(clientId));

        fixture.Time.Advance(TimeSpan.FromSeconds(40));
        var after = await RefreshAsync(connectionId);
        Assert.NotEqual(before, after);
        Assert.Equal(1, RefreshCalls(clientId));
        Assert.Equal(0, fixture.Provider.RefreshTokenReuseCount);
        Assert.True(fixture.Provider.IsAccessTokenActive(after));
    }

    [Fact]
    public async Task A_claim_of_a_silo_the_cluster_does_not_know_alive_is_void()
    {
        var (connectionId, clientId) = await ConnectAsync("claim-dead");
        var before = await Flow.AccessTokenAsync(connectionId);

        await PlantClaimAsync(connectionId, "10.255.255.1:11111@1|gone-activation", fixture.Time.GetUtcNow() + TimeSpan.FromSeconds(45));
        fixture.Time.Advance(TimeSpan.FromSeconds(6));

        Assert.NotEqual(before, await RefreshAsync(connectionId));
        Assert.Equal(1, RefreshCalls(clientId));
    }

    [Fact]
    public async Task A_refresh_queued_behind_the_versions_refresh_limit_claims_only_once_it_has_a_slot()
    {
        // Under load a refresh can wait for a slot longer than a claim lives. Had it claimed before waiting, its claim
        // would lapse, a duplicate activation could claim and refresh meanwhile, and this one would then present the
        // same refresh token: a rotating provider revokes the grant on reuse.
        const string clientId = "claim-queued";
        var (holding, _) = await ConnectAsync(clientId);
        var queued = (await Flow.ConnectAsync(clientId, "v1", ownerId: "claim-queued-second"))["connectionId"];
        fixture.Time.Advance(TimeSpan.FromSeconds(6));

        // The version's only slot is held by a refresh that stores its tokens: a degraded connection publishes
        // "recovered" while storing them, and the gate holds it there.
        fixture.Provider.FailNextTokenRequests(1, 503);
        using (var failed = await Flow.Api.PostAsync($"/v1/connections/{holding}/refresh", null))
        {
            await Problem.AssertRetryLaterAsync(failed, ConnectionErrorCodes.RefreshFailed);
        }

        var stored = fixture.Gate.HoldNext(holding, ConnectionEventKinds.Recovered);
        var holdingRefresh = Flow.Api.PostAsync($"/v1/connections/{holding}/refresh", null);
        await stored.WaitAsync(TimeSpan.FromSeconds(20));

        var queuedRefresh = Flow.Api.PostAsync($"/v1/connections/{queued}/refresh", null);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(2);
        while ((await StoredConnectionState.ReadAsync(fixture, queued)).State!.RefreshClaimHolder is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        // Long enough for a claim made before the wait to lapse; a duplicate activation claims the connection.
        fixture.Time.Advance(TimeSpan.FromSeconds(46));
        var liveSilo = fixture.Host.App.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToParsableString();
        await PlantClaimAsync(queued, $"{liveSilo}|duplicate-activation", fixture.Time.GetUtcNow() + TimeSpan.FromSeconds(45));
        var callsBefore = RefreshCalls(clientId);
        fixture.Gate.Release();

        using (var answer = await holdingRefresh)
        {
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }

        using (var answer = await queuedRefresh)
        {
            await Problem.AssertRetryLaterAsync(answer, ConnectionErrorCodes.RefreshInProgress);
        }

        // Only the holding connection's refresh reached the provider; the queued one left it to the claim's holder.
        Assert.Equal(callsBefore + 1, RefreshCalls(clientId));
        Assert.Equal(0, fixture.Provider.RefreshTokenReuseCount);
    }

    private async Task PlantClaimAsync(string connectionId, string holder, DateTimeOffset until)
    {
        var stored = await StoredConnectionState.ReadAsync(fixture, connectionId);
        (stored.State!.RefreshClaimHolder, stored.State.RefreshClaimUntil) = (holder, until);
        await StoredConnectionState.WriteAsync(fixture, connectionId, stored);
    }

    private async Task<(string ConnectionId, string ClientId)> ConnectAsync(string clientId) => (await Flow.ConnectOwnClientAsync(clientId), clientId);

    private async Task<string> RefreshAsync(string connectionId)
    {
        using var refresh = await Flow.Api.PostAsync($"/v1/connections/{connectionId}/refresh", null);
        Assert.True(refresh.IsSuccessStatusCode, await refresh.Content.ReadAsStringAsync());
        return await Flow.AccessTokenAsync(connectionId);
    }

    private int RefreshCalls(string clientId) => fixture.Provider.RefreshGrantLog.Count(r => r.ClientId == clientId);

    /// <summary>The service on a fake clock, one refresh at a time per auth version, and lifecycle events through a gate.</summary>
    public sealed class Fixture : GatedFakeClockServiceFixture
    {
        protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
        {
            ["ViaSocket:Refresh:MaxConcurrentPerVersion"] = "1",
        };
    }
}
