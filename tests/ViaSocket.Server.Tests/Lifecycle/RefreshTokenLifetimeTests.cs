using System.Globalization;
using System.Text.Json.Nodes;
using ViaSocket.Connections;
using ViaSocket.Grains.Connections;
using ViaSocket.Server.Tests.Infrastructure;
using ViaSocket.TestProvider;

namespace ViaSocket.Server.Tests.Lifecycle;

/// <summary>
/// Refresh-token lifetimes as the provider states them (<c>refresh_token_expires_in</c>) or the version declares them:
/// shown, warned about once with <c>reconnect_soon</c> through the connection's one reminder, and the end of them
/// ending the connection without asking the provider. The service runs on a fake clock; the provider on real time.
/// </summary>
public sealed class RefreshTokenLifetimeTests(RecordingFakeClockServiceFixture fixture) : IClassFixture<RecordingFakeClockServiceFixture>
{
    private static readonly TimeSpan Week = TimeSpan.FromDays(7);

    private ConnectFlow Flow => fixture.Flow;

    [Fact]
    public async Task The_stated_refresh_token_expiry_is_shown_and_reconnect_soon_is_published_once_three_days_before_it()
    {
        var connectedAt = fixture.Time.GetUtcNow();
        var connectionId = await ConnectAsync("rt-warn", StatedWeekLongRefreshToken);
        var expiresAt = await RefreshTokenExpiresAtAsync(connectionId);
        Assert.InRange(expiresAt, connectedAt + Week, fixture.Time.GetUtcNow() + Week);

        // The one reminder carries the earliest due time: the warning, before the refresh token's death.
        Assert.Equal(1, await ReminderRowsAsync(connectionId));
        fixture.Time.Advance(expiresAt - TimeSpan.FromDays(3) - TimeSpan.FromMinutes(1) - fixture.Time.GetUtcNow());
        await TickAsync(connectionId);
        Assert.Empty(fixture.Events.Of(connectionId, ConnectionEventKinds.ReconnectSoon));

        fixture.Time.Advance(TimeSpan.FromMinutes(1));
        await TickAsync(connectionId);
        fixture.Time.Advance(TimeSpan.FromHours(1));
        await TickAsync(connectionId);

        var warning = Assert.Single(fixture.Events.Of(connectionId, ConnectionEventKinds.ReconnectSoon));
        Assert.Equal(expiresAt, DateTimeOffset.Parse(warning.Detail!, CultureInfo.InvariantCulture));
        Assert.Equal(ConnectionStatus.Active, warning.Status);
        Assert.Equal(1, await ReminderRowsAsync(connectionId));
        Assert.Equal(0, RefreshCalls("rt-warn"));
    }

    [Fact]
    public async Task Once_the_refresh_token_has_died_the_connection_needs_reauthorization_without_a_provider_call()
    {
        var connectionId = await ConnectAsync("rt-dead", StatedWeekLongRefreshToken);
        fixture.Time.Advance(Week + TimeSpan.FromSeconds(1));

        await TickAsync(connectionId);
        var view = await WaitForStatusAsync(connectionId, "reauth_required");

        Assert.Equal(ConnectionErrorCodes.ReauthRequired, (string?)view["lastError"]!["code"]);
        Assert.Equal(ConnectionErrorCodes.RefreshTokenExpired, (string?)view["history"]!.AsArray()[^1]!["detail"]);
        Assert.Equal(0, RefreshCalls("rt-dead"));

        // Published once the state is stored, which a read of the view can overtake.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (fixture.Events.Of(connectionId, ConnectionEventKinds.ReauthRequired).Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(ConnectionErrorCodes.RefreshTokenExpired, Assert.Single(fixture.Events.Of(connectionId, ConnectionEventKinds.ReauthRequired)).Detail);
    }

    [Fact]
    public async Task A_refresh_that_returns_a_new_refresh_token_resets_its_declared_lifetime()
    {
        // The provider says nothing about refresh-token lifetimes here; the version declares a week.
        var connectionId = await ConnectAsync("rt-reset", client => client, new JsonObject { ["lifetimeSeconds"] = 604800 });
        var first = await RefreshTokenExpiresAtAsync(connectionId);

        fixture.Time.Advance(TimeSpan.FromMinutes(61));
        await Flow.AccessTokenAsync(connectionId);

        Assert.Equal(1, RefreshCalls("rt-reset"));
        var second = await RefreshTokenExpiresAtAsync(connectionId);
        Assert.InRange(second - first, TimeSpan.FromMinutes(61), TimeSpan.FromMinutes(62));
    }

    /// <summary>A provider that keeps one refresh token (no rotation) alive for a week and says so; access tokens outlive the test.</summary>
    private static TestClient StatedWeekLongRefreshToken(TestClient client) =>
        client with { RotateRefreshTokens = false, RefreshTokenLifetime = Week, AccessTokenLifetime = TimeSpan.FromDays(30) };

    private async Task<string> ConnectAsync(string clientId, Func<TestClient, TestClient> client, JsonObject? policy = null) =>
        await Flow.ConnectOwnClientAsync(clientId, client, definition =>
        {
            if (policy is not null)
            {
                definition["refreshTokenPolicy"] = policy;
            }
        });

    private Task TickAsync(string connectionId) =>
        fixture.Host.Grains.GetGrain<IConnectionGrain>(GrainKeys.Connection("default", connectionId))
            .AsReference<IRemindable>().ReceiveReminder(ConnectionGrain.RefreshReminderName, default);

    private async Task<DateTimeOffset> RefreshTokenExpiresAtAsync(string connectionId) =>
        DateTimeOffset.Parse((string)(await Flow.GetJsonAsync($"/v1/connections/{connectionId}"))["refreshTokenExpiresAt"]!, CultureInfo.InvariantCulture);

    private async Task<JsonNode> WaitForStatusAsync(string connectionId, string status)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        var view = await Flow.GetJsonAsync($"/v1/connections/{connectionId}");
        while ((string?)view["status"] != status && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
            view = await Flow.GetJsonAsync($"/v1/connections/{connectionId}");
        }

        Assert.Equal(status, (string?)view["status"]);
        return view;
    }

    private int RefreshCalls(string clientId) => fixture.Provider.RefreshGrantLog.Count(r => r.ClientId == clientId);

    private async Task<long> ReminderRowsAsync(string connectionId) =>
        (long)(await fixture.ExecuteSqlAsync("SELECT count(*) FROM orleans_reminders WHERE grain_id LIKE @grain", ("grain", $"%{connectionId}%")))!;
}
