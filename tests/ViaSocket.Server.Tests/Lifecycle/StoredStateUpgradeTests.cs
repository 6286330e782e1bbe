using System.Text;
using ViaSocket.Server.Tests.Infrastructure;

namespace ViaSocket.Server.Tests.Lifecycle;

/// <summary>
/// Rows written before the authData moved to UTF-8 hold it as a string member. Such a connection keeps working: it
/// serves and refreshes with that authData and stores it in the current layout at its next write.
/// </summary>
public sealed class StoredStateUpgradeTests(FakeClockServiceFixture fixture) : IClassFixture<FakeClockServiceFixture>
{
    private ConnectFlow Flow => fixture.Flow;

    [Fact]
    public async Task A_connection_loaded_from_an_older_row_serves_refreshes_and_is_stored_in_the_current_layout()
    {
        var (connectionId, clientId) = await ConnectAsync("legacy-activation");
        var before = await Flow.AccessTokenAsync(connectionId);
        await RewriteAsLegacyAsync(connectionId);
        await fixture.Host.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection([], TimeSpan.Zero);

        Assert.Equal(before, await Flow.AccessTokenAsync(connectionId));
        await AssertRefreshUpgradesAsync(connectionId, clientId, before);
    }

    [Fact]
    public async Task An_activation_that_reloads_an_older_row_before_refreshing_uses_its_authData()
    {
        var (connectionId, clientId) = await ConnectAsync("legacy-reload");
        var before = await Flow.AccessTokenAsync(connectionId);

        // Written behind the activation's back: its refresh claim fails on the etag and it reloads this row.
        await RewriteAsLegacyAsync(connectionId);

        await AssertRefreshUpgradesAsync(connectionId, clientId, before);
    }

    private async Task AssertRefreshUpgradesAsync(string connectionId, string clientId, string before)
    {
        fixture.Time.Advance(TimeSpan.FromSeconds(6));
        using (var refresh = await Flow.Api.PostAsync($"/v1/connections/{connectionId}/refresh", null))
        {
            Assert.True(refresh.IsSuccessStatusCode, await refresh.Content.ReadAsStringAsync());
        }

        var after = await Flow.AccessTokenAsync(connectionId);
        Assert.NotEqual(before, after);
        Assert.True(fixture.Provider.IsAccessTokenActive(after));
        Assert.Equal(1, fixture.Provider.RefreshGrantLog.Count(r => r.ClientId == clientId));
        Assert.Equal(0, fixture.Provider.RefreshTokenReuseCount);

        var stored = (await StoredConnectionState.ReadAsync(fixture, connectionId)).State!;
        Assert.Null(stored.LegacyAuthDataJson);
        Assert.Contains(after, Encoding.UTF8.GetString(stored.AuthData!), StringComparison.Ordinal);
    }

    /// <summary>Moves the stored authData into the member older versions wrote.</summary>
    private async Task RewriteAsLegacyAsync(string connectionId)
    {
        var stored = await StoredConnectionState.ReadAsync(fixture, connectionId);
        var state = stored.State!;
        (state.LegacyAuthDataJson, state.AuthData) = (Encoding.UTF8.GetString(state.AuthData!), null);
        await StoredConnectionState.WriteAsync(fixture, connectionId, stored);
    }

    private async Task<(string ConnectionId, string ClientId)> ConnectAsync(string clientId) => (await Flow.ConnectOwnClientAsync(clientId), clientId);
}
