using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ViaSocket.Grains.Connections;
using ViaSocket.Persistence.Connections;
using ViaSocket.Server.Tests.Infrastructure;

namespace ViaSocket.Server.Tests.Connections;

/// <summary>
/// Connects that never completed (denied, failed, abandoned) leave a pending connection: left out of the list unless
/// asked for, reusable by a reconnect with its id, and deleted once their last attempt is a pending lifetime old.
/// </summary>
public sealed class PendingConnectionTests(FakeClockServiceFixture fixture) : IClassFixture<FakeClockServiceFixture>
{
    private static readonly TimeSpan PendingLifetime = new ConnectionLifetimeOptions().PendingLifetime;

    private ConnectFlow Flow => fixture.Flow;

    [Fact]
    public async Task A_denied_connect_is_listed_only_when_asked_for_and_deleted_a_pending_lifetime_after_it_failed()
    {
        const string owner = "pending-denied";
        var connectionId = await DeniedConnectAsync("crm-pending-denied", owner);

        Assert.Empty(await ListAsync($"ownerId={owner}"));
        var included = Assert.Single(await ListAsync($"ownerId={owner}&include=pending"));
        Assert.Equal(connectionId, (string?)included!["connectionId"]);
        Assert.Equal("connection.provider_error", (string?)included!["lastErrorCode"]);
        Assert.Equal(connectionId, (string?)Assert.Single(await ListAsync($"ownerId={owner}&status=pending"))!["connectionId"]);

        fixture.Time.Advance(PendingLifetime - TimeSpan.FromMinutes(1));
        await Expiry().RunOnceAsync(CancellationToken.None);
        Assert.Single(await ListAsync($"ownerId={owner}&include=pending"));

        fixture.Time.Advance(TimeSpan.FromMinutes(2));
        await Expiry().RunOnceAsync(CancellationToken.None);
        Assert.Empty(await ListAsync($"ownerId={owner}&include=pending"));
        using var gone = await Flow.Api.GetAsync($"/v1/connections/{connectionId}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.False((await StoredConnectionState.ReadAsync(fixture, connectionId)).RecordExists);
    }

    [Fact]
    public async Task An_abandoned_attempt_counts_from_when_it_lapsed_and_its_late_callback_is_refused()
    {
        const string owner = "pending-abandoned";
        await Flow.PublishAsync("crm-pending-abandoned", "v1", ProviderDefinitions.JavaScript(fixture.Provider));
        var (connectionId, authorizeUrl) = await Flow.StartAsync("crm-pending-abandoned", "v1", owner);
        var callbackUrl = await Flow.ConsentAsync(authorizeUrl);

        // The user consented but never came back. A pending lifetime after the start, the attempt lapsed only
        // PendingLifetime - AuthorizationLifetime ago: it stays.
        fixture.Time.Advance(PendingLifetime + TimeSpan.FromMinutes(1));
        await Expiry().RunOnceAsync(CancellationToken.None);
        Assert.Single(await ListAsync($"ownerId={owner}&include=pending"));

        fixture.Time.Advance(ConnectionGrain.AuthorizationLifetime);
        await Expiry().RunOnceAsync(CancellationToken.None);
        Assert.Empty(await ListAsync($"ownerId={owner}&include=pending"));

        using var late = await Flow.CallbackAsync(callbackUrl);
        Assert.Equal(HttpStatusCode.BadRequest, late.StatusCode);
        Assert.Contains("invalid_state", await late.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var gone = await Flow.Api.GetAsync($"/v1/connections/{connectionId}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task A_reconnect_with_the_id_of_a_failed_connect_reuses_it_and_it_becomes_active()
    {
        const string owner = "pending-reconnect";
        var connectionId = await DeniedConnectAsync("crm-pending-reconnect", owner);

        var outcome = await Flow.ConnectAsync("crm-pending-reconnect", "v1", owner, connectionId);

        Assert.Equal("success", outcome["status"]);
        Assert.Equal(connectionId, outcome["connectionId"]);
        var listed = Assert.Single(await ListAsync($"ownerId={owner}&include=pending"));
        Assert.Equal(connectionId, (string?)listed!["connectionId"]);
        Assert.Equal("active", (string?)listed!["status"]);
        Assert.Null((string?)listed!["lastErrorCode"]);
        Assert.Single(await ListAsync($"ownerId={owner}"));

        // Active, it is no longer an attempt that never completed.
        fixture.Time.Advance(PendingLifetime + ConnectionGrain.AuthorizationLifetime + TimeSpan.FromMinutes(1));
        await Expiry().RunOnceAsync(CancellationToken.None);
        Assert.Equal("active", (string?)(await Flow.GetJsonAsync($"/v1/connections/{connectionId}"))["status"]);
    }

    [Fact]
    public async Task A_connection_that_moved_on_behind_a_stale_pending_row_is_kept_and_its_row_mended()
    {
        // The directory row says pending (a directory write that failed), but the connection was connected and then
        // disconnected, long enough ago that a pending one would be deleted.
        const string owner = "pending-stale";
        await Flow.PublishAsync("crm-pending-stale", "v1", ProviderDefinitions.JavaScript(fixture.Provider));
        var connectionId = (await Flow.ConnectAsync("crm-pending-stale", "v1", owner))["connectionId"];
        using (var disconnect = await Flow.Api.DeleteAsync($"/v1/connections/{connectionId}"))
        {
            Assert.Equal(HttpStatusCode.OK, disconnect.StatusCode);
        }

        var directory = fixture.Host.App.Services.GetRequiredService<ConnectionDirectory>();
        var row = Assert.Single(await directory.ListAsync(new ConnectionQuery("default", OwnerId: owner)));
        await directory.UpsertAsync(row with { Status = "pending" });
        fixture.Time.Advance(PendingLifetime + TimeSpan.FromMinutes(1));

        await Expiry().RunOnceAsync(CancellationToken.None);

        Assert.Equal("revoked", (string?)(await Flow.GetJsonAsync($"/v1/connections/{connectionId}"))["status"]);
        Assert.Equal("revoked", Assert.Single(await directory.ListAsync(new ConnectionQuery("default", OwnerId: owner))).Status);
    }

    [Fact]
    public async Task An_unknown_include_is_a_bad_request()
    {
        using var response = await Flow.Api.GetAsync("/v1/connections?include=revoked");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("request.invalid", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["code"]);
    }

    private async Task<string> DeniedConnectAsync(string pluginId, string ownerId)
    {
        await Flow.PublishAsync(pluginId, "v1", ProviderDefinitions.JavaScript(fixture.Provider));
        var (connectionId, authorizeUrl) = await Flow.StartAsync(pluginId, "v1", ownerId);
        using var callback = await Flow.CallbackAsync(await Flow.ConsentAsync(authorizeUrl, allow: false));
        Assert.Equal("error", ConnectFlow.ReturnQuery(callback)["status"]);
        return connectionId;
    }

    private async Task<JsonArray> ListAsync(string query) => (await Flow.GetJsonAsync($"/v1/connections?{query}"))["items"]!.AsArray();

    private PendingConnectionExpiry Expiry() => fixture.Host.App.Services.GetServices<IHostedService>().OfType<PendingConnectionExpiry>().Single();
}
