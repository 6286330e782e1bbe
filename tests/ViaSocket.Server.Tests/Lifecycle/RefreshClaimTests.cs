using Microsoft.Extensions.DependencyInjection;
using ViaSocket.Server.Tests.Infrastructure;

namespace ViaSocket.Server.Tests.Lifecycle;

/// <summary>
/// The refresh token is fenced before it is sent: an activation that finds another live activation's claim in
/// storage (as a duplicate activation would during a silo's death) does not present the same refresh token.
/// </summary>
public sealed class RefreshClaimTests(FakeClockServiceFixture fixture) : IClassFixture<FakeClockServiceFixture>
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
        Assert.Equal(before, await RefreshAsync(connectionId));
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
}
