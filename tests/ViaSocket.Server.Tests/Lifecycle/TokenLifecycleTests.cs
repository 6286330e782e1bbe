using System.Net;
using System.Text.Json.Nodes;
using ViaSocket.Connections;
using ViaSocket.Server.Tests.Infrastructure;
using ViaSocket.TestProvider;

namespace ViaSocket.Server.Tests.Lifecycle;

/// <summary>
/// Refresh, failures and revoke against a provider that rotates refresh tokens and revokes the whole grant when an old
/// one is reused. The service runs on a fake clock; each test uses its own provider client so counts are its own.
/// </summary>
public sealed class TokenLifecycleTests(FakeClockServiceFixture fixture) : IClassFixture<FakeClockServiceFixture>
{
    private ConnectFlow Flow => fixture.Flow;

    private TestAuthorizationServer Provider => fixture.Provider;

    [Fact]
    public async Task Five_hundred_reads_and_fifty_forced_refreshes_near_expiry_make_exactly_one_refresh_call()
    {
        var (connectionId, clientId) = await ConnectAsync("single-flight");
        fixture.Time.Advance(TimeSpan.FromMinutes(57));

        var reads = Enumerable.Range(0, 500).Select(_ => Flow.Api.GetAsync($"/v1/connections/{connectionId}/credentials"));
        var refreshes = Enumerable.Range(0, 50).Select(_ => Flow.Api.PostAsync($"/v1/connections/{connectionId}/refresh", null));
        var responses = await Task.WhenAll(reads.Concat(refreshes));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, RefreshCalls(clientId));
        Assert.Equal(0, Provider.RefreshTokenReuseCount);
        var connection = await Flow.GetJsonAsync($"/v1/connections/{connectionId}");
        Assert.Equal("active", (string?)connection["status"]);
        Assert.True(Provider.IsAccessTokenActive(await Flow.AccessTokenAsync(connectionId)));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task A_read_after_expiry_waits_for_the_refresh_and_never_gets_the_expired_token()
    {
        var (connectionId, clientId) = await ConnectAsync("expired-read");
        var before = await Flow.AccessTokenAsync(connectionId);
        fixture.Time.Advance(TimeSpan.FromMinutes(61));

        var after = await Flow.AccessTokenAsync(connectionId);

        Assert.NotEqual(before, after);
        Assert.Equal(1, RefreshCalls(clientId));
        Assert.True(Provider.IsAccessTokenActive(after));
    }

    [Fact]
    public async Task A_provider_outage_degrades_the_connection_keeps_serving_the_valid_token_then_recovers()
    {
        var (connectionId, _) = await ConnectAsync("outage");
        var token = await Flow.AccessTokenAsync(connectionId);

        Provider.FailNextTokenRequests(1, 503);
        await RefreshRefusedForNowAsync(connectionId);

        var degraded = await Flow.GetJsonAsync($"/v1/connections/{connectionId}");
        Assert.Equal("degraded", (string?)degraded["status"]);
        Assert.Equal(503, (int)degraded["lastError"]!["providerStatus"]!);
        Assert.Equal(1, (int)degraded["refreshFailuresToday"]!);
        Assert.Equal(token, await Flow.AccessTokenAsync(connectionId));

        fixture.Time.Advance(TimeSpan.FromMinutes(1));
        await RefreshAsync(connectionId);

        var recovered = await Flow.GetJsonAsync($"/v1/connections/{connectionId}");
        Assert.Equal("active", (string?)recovered["status"]);
        Assert.Contains(recovered["history"]!.AsArray(), e => (string?)e!["kind"] == "recovered");
        Assert.NotEqual(token, await Flow.AccessTokenAsync(connectionId));
    }

    [Fact]
    public async Task Reads_of_an_expired_token_during_backoff_are_refused_without_asking_the_provider_again()
    {
        var (connectionId, clientId) = await ConnectAsync("expired-backoff");
        Provider.TokenEndpointOutage = 503;
        try
        {
            fixture.Time.Advance(TimeSpan.FromMinutes(61));
            using var first = await Flow.Api.GetAsync($"/v1/connections/{connectionId}/credentials");
            var refreshCalls = RefreshCalls(clientId);
            using var second = await Flow.Api.GetAsync($"/v1/connections/{connectionId}/credentials");

            // The first read waited for the refresh that failed; the second is told when the backoff ends.
            Assert.False(first.IsSuccessStatusCode);
            var wait = await Problem.AssertRetryLaterAsync(second, ConnectionErrorCodes.RefreshFailed);
            Assert.True(wait <= TimeSpan.FromMinutes(5), $"Retry-After {wait} is past the first backoff step.");
            Assert.Equal(1, refreshCalls);
            Assert.Equal(refreshCalls, RefreshCalls(clientId));
        }
        finally
        {
            Provider.TokenEndpointOutage = null;
        }
    }

    [Fact]
    public async Task Once_the_provider_answers_again_the_versions_other_degraded_connections_retry_without_waiting_out_their_backoffs()
    {
        var (first, clientId) = await ConnectAsync("recovery");
        var second = (await Flow.ConnectAsync(clientId, "v1", ownerId: "recovery-second"))["connectionId"];
        var (otherVersion, _) = await ConnectAsync("recovery-elsewhere");
        var secondToken = await Flow.AccessTokenAsync(second);
        await DegradeAsync(first, second, otherVersion);

        // The fake clock stands still from here on: no backoff ends by itself.
        await RefreshAsync(first);

        Assert.True(await BecomesActiveAsync(second, TimeSpan.FromSeconds(20)));

        // Its view shows the refresh as soon as the provider answers; reads get the new token once it is stored.
        var secondRefreshed = await ConnectFlow.ReadUntilChangedAsync(() => Flow.AccessTokenAsync(second), secondToken, DateTimeOffset.UtcNow.AddSeconds(20));
        Assert.NotEqual(secondToken, secondRefreshed);
        Assert.True(Provider.IsAccessTokenActive(secondRefreshed));

        // Another auth version's provider said nothing: its connection keeps its backoff.
        Assert.Equal("degraded", await StatusAsync(otherVersion));
    }

    [Fact]
    public async Task A_second_recovery_of_the_same_version_within_the_round_interval_wakes_no_one()
    {
        var (first, clientId) = await ConnectAsync("recovery-interval");
        var second = (await Flow.ConnectAsync(clientId, "v1", ownerId: "recovery-interval-second"))["connectionId"];
        await DegradeAsync(first, second);
        await RefreshAsync(first);
        Assert.True(await BecomesActiveAsync(second, TimeSpan.FromSeconds(20)));

        // Past the on-demand refresh's fresh-token window, well within the round interval; no backoff ends meanwhile.
        fixture.Time.Advance(TimeSpan.FromSeconds(6));
        await DegradeAsync(first, second);
        await RefreshAsync(first);

        Assert.Equal("active", await StatusAsync(first));
        Assert.False(await BecomesActiveAsync(second, TimeSpan.FromSeconds(3)));
    }

    [Fact]
    public async Task A_token_seconds_from_expiry_is_not_handed_out_the_refreshed_one_is()
    {
        var (connectionId, clientId) = await ConnectAsync("near-expiry");
        var before = await Flow.AccessTokenAsync(connectionId);
        var view = await Flow.GetJsonAsync($"/v1/connections/{connectionId}");
        fixture.Time.Advance(Parse(view["expiresAt"]) - fixture.Time.GetUtcNow() - TimeSpan.FromSeconds(2));

        var after = await Flow.AccessTokenAsync(connectionId);

        Assert.NotEqual(before, after);
        Assert.Equal(1, RefreshCalls(clientId));
    }

    [Fact]
    public async Task A_429_with_retry_after_postpones_the_next_attempt_at_least_that_long()
    {
        var (connectionId, _) = await ConnectAsync("rate-limited");

        Provider.FailNextTokenRequests(1, 429, retryAfter: TimeSpan.FromMinutes(20));
        Assert.True(await RefreshRefusedForNowAsync(connectionId) >= TimeSpan.FromMinutes(20) - TimeSpan.FromSeconds(1));

        var connection = await Flow.GetJsonAsync($"/v1/connections/{connectionId}");
        Assert.Equal("degraded", (string?)connection["status"]);
        var nextRefresh = DateTimeOffset.Parse((string)connection["nextRefreshAt"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(nextRefresh >= fixture.Time.GetUtcNow().AddMinutes(20) - TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task A_refused_grant_moves_to_reauth_required_refuses_credentials_and_drops_the_reminder()
    {
        var (connectionId, _) = await ConnectAsync("invalid-grant");
        Assert.True(Provider.RevokeGrant(await Flow.AccessTokenAsync(connectionId)));

        using var refresh = await Flow.Api.PostAsync($"/v1/connections/{connectionId}/refresh", null);
        using var credentials = await Flow.Api.GetAsync($"/v1/connections/{connectionId}/credentials");

        Assert.Equal(HttpStatusCode.Conflict, refresh.StatusCode);
        Assert.Contains("connection.reauth_required", await refresh.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, credentials.StatusCode);
        Assert.Contains("reauth_required", await credentials.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var connection = await Flow.GetJsonAsync($"/v1/connections/{connectionId}");
        Assert.Equal("reauth_required", (string?)connection["status"]);
        Assert.Equal(0, await ReminderRowsAsync(connectionId));
    }

    [Fact]
    public async Task A_refresh_response_without_a_refresh_token_keeps_the_previous_one()
    {
        var (connectionId, clientId) = await ConnectAsync("no-rotation", client => client with { RotateRefreshTokens = false });

        for (var i = 0; i < 2; i++)
        {
            fixture.Time.Advance(TimeSpan.FromSeconds(10));
            await RefreshAsync(connectionId);
        }

        Assert.Equal(2, RefreshCalls(clientId));
        var connection = await Flow.GetJsonAsync($"/v1/connections/{connectionId}");
        Assert.Equal("active", (string?)connection["status"]);
    }

    [Fact]
    public async Task A_run_of_refreshes_or_tests_is_one_history_entry_the_latest()
    {
        var (connectionId, _) = await ConnectAsync("history-runs");
        for (var i = 0; i < 3; i++)
        {
            fixture.Time.Advance(TimeSpan.FromSeconds(6));
            await RefreshAsync(connectionId);
        }

        var connection = await Flow.GetJsonAsync($"/v1/connections/{connectionId}");
        var history = connection["history"]!.AsArray();
        Assert.Equal(["created", "connected", "refreshed"], history.Select(e => (string)e!["kind"]!));
        Assert.Equal(Parse(connection["lastRefreshedAt"]), Parse(history[^1]!["at"]));

        foreach (var step in new[] { "test", "test", "refresh" })
        {
            fixture.Time.Advance(TimeSpan.FromSeconds(6));
            using var response = await Flow.Api.PostAsync($"/v1/connections/{connectionId}/{step}", null);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        history = (await Flow.GetJsonAsync($"/v1/connections/{connectionId}"))["history"]!.AsArray();
        Assert.Equal(["created", "connected", "refreshed", "tested", "refreshed"], history.Select(e => (string)e!["kind"]!));
    }

    [Fact]
    public async Task A_token_response_without_expires_in_never_expires_and_schedules_no_refresh()
    {
        var (connectionId, _) = await ConnectAsync("no-expiry", client => client with { TokenResponseStyle = TokenResponseStyle.NoExpiresIn });

        var connection = await Flow.GetJsonAsync($"/v1/connections/{connectionId}");

        Assert.Null(connection["expiresAt"]);
        Assert.Null(connection["nextRefreshAt"]);
        Assert.Equal(0, await ReminderRowsAsync(connectionId));
    }

    [Fact]
    public async Task Expires_in_as_a_string_gives_the_expiry_and_a_refresh_half_way_through_a_short_token()
    {
        var (connectionId, _) = await ConnectAsync("string-expiry", client => client with
        {
            TokenResponseStyle = TokenResponseStyle.ExpiresInAsString,
            AccessTokenLifetime = TimeSpan.FromSeconds(20),
        });

        var connection = await Flow.GetJsonAsync($"/v1/connections/{connectionId}");

        var expiresAt = Parse(connection["expiresAt"]);
        var nextRefresh = Parse(connection["nextRefreshAt"]);
        Assert.Equal(TimeSpan.FromSeconds(10), expiresAt - nextRefresh);
    }

    [Fact]
    public async Task A_nested_token_response_is_read_through_the_versions_expiry_path()
    {
        var clientId = "nested";
        Provider.RegisterClient(ProviderDefinitions.Client(fixture.Host.CallbackUrl, clientId) with { TokenResponseStyle = TokenResponseStyle.Nested });
        var definition = ProviderDefinitions.JavaScript(Provider, clientId: clientId);
        definition["tokenExpiry"] = new JsonObject { ["expiresInPath"] = "data.expires_in" };
        definition["testMe"]!["request"]!["headers"]!["Authorization"] = "Bearer ${context.authData.accesstokencode.data.access_token}";
        definition["append"]!["headers"]!["Authorization"] = "Bearer ${context.authData.accesstokencode.data.access_token}";
        await Flow.PublishAsync(clientId, "v1", definition);

        var connectionId = (await Flow.ConnectAsync(clientId, "v1", ownerId: clientId))["connectionId"];

        var connection = await Flow.GetJsonAsync($"/v1/connections/{connectionId}");
        Assert.Equal("active", (string?)connection["status"]);
        Assert.NotNull(connection["expiresAt"]);
        Assert.True(Provider.IsAccessTokenActive(await Flow.AccessTokenAsync(connectionId)));
    }

    [Fact]
    public async Task Disconnecting_runs_the_revoke_api_wipes_the_tokens_and_refuses_credentials()
    {
        var (connectionId, _) = await ConnectAsync("revoke");
        var token = await Flow.AccessTokenAsync(connectionId);
        var revokeCalls = Provider.RevokeCalls;

        using var disconnect = await Flow.Api.DeleteAsync($"/v1/connections/{connectionId}");
        using var credentials = await Flow.Api.GetAsync($"/v1/connections/{connectionId}/credentials");

        Assert.Equal(HttpStatusCode.OK, disconnect.StatusCode);
        Assert.Equal("revoked", (string?)JsonNode.Parse(await disconnect.Content.ReadAsStringAsync())!["status"]);
        Assert.Equal(revokeCalls + 1, Provider.RevokeCalls);
        Assert.False(Provider.IsAccessTokenActive(token));
        Assert.Equal(HttpStatusCode.Conflict, credentials.StatusCode);
        Assert.Equal(0, await ReminderRowsAsync(connectionId));
    }

    [Fact]
    public async Task Disconnecting_a_version_without_a_revoke_api_still_wipes_locally()
    {
        var clientId = "no-revoke-api";
        Provider.RegisterClient(ProviderDefinitions.Client(fixture.Host.CallbackUrl, clientId));
        var definition = ProviderDefinitions.JavaScript(Provider, clientId: clientId);
        definition.Remove("revokeToken");
        await Flow.PublishAsync(clientId, "v1", definition);
        var connectionId = (await Flow.ConnectAsync(clientId, "v1", ownerId: clientId))["connectionId"];
        var revokeCalls = Provider.RevokeCalls;

        using var disconnect = await Flow.Api.DeleteAsync($"/v1/connections/{connectionId}");

        Assert.Equal(HttpStatusCode.OK, disconnect.StatusCode);
        Assert.Equal(revokeCalls, Provider.RevokeCalls);
        var connection = await Flow.GetJsonAsync($"/v1/connections/{connectionId}");
        Assert.Equal("revoked", (string?)connection["status"]);
    }

    [Fact]
    public async Task No_refresh_is_started_while_the_database_is_down_and_the_valid_token_is_still_served()
    {
        var (connectionId, clientId) = await ConnectAsync("storage-down-before");
        var stored = await Flow.AccessTokenAsync(connectionId);
        fixture.Time.Advance(TimeSpan.FromSeconds(6));
        await fixture.ExecuteSqlAsync("ALTER TABLE orleans_storage RENAME TO orleans_storage_offline");
        try
        {
            using var refresh = await Flow.Api.PostAsync($"/v1/connections/{connectionId}/refresh", null);
            var problem = JsonNode.Parse(await refresh.Content.ReadAsStringAsync())!;

            Assert.Equal(HttpStatusCode.ServiceUnavailable, refresh.StatusCode);
            Assert.Equal("connection.storage_unavailable", (string?)problem["code"]);
            Assert.Equal(0, RefreshCalls(clientId));
            Assert.Equal(stored, await Flow.AccessTokenAsync(connectionId));
        }
        finally
        {
            await fixture.ExecuteSqlAsync("ALTER TABLE orleans_storage_offline RENAME TO orleans_storage");
        }
    }

    [Fact]
    public async Task A_refreshed_token_that_cannot_be_stored_is_held_and_not_served_until_the_write_succeeds()
    {
        var (connectionId, clientId) = await ConnectAsync("storage-down");
        var stored = await Flow.AccessTokenAsync(connectionId);

        // The database goes away while the provider is answering: after the refresh claim, before the new token is stored.
        fixture.Time.Advance(TimeSpan.FromSeconds(6));
        Provider.TokenEndpointDelay = TimeSpan.FromSeconds(1);
        var tokenRequests = Provider.TokenRequests;
        var refreshing = Flow.Api.PostAsync($"/v1/connections/{connectionId}/refresh", null);
        while (Provider.TokenRequests == tokenRequests)
        {
            await Task.Delay(20);
        }

        await fixture.ExecuteSqlAsync("ALTER TABLE orleans_storage RENAME TO orleans_storage_offline");
        Provider.TokenEndpointDelay = TimeSpan.Zero;
        try
        {
            using var refresh = await refreshing;
            Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
            Assert.Equal(stored, await Flow.AccessTokenAsync(connectionId));
            var degraded = await Flow.GetJsonAsync($"/v1/connections/{connectionId}");
            Assert.Equal("degraded", (string?)degraded["status"]);
            Assert.Equal("connection.storage_unavailable", (string?)degraded["lastError"]!["code"]);

            // Retries while the database is still away fail; none of them may count as a recovery.
            var notStored = NotStoredLogLines(connectionId);
            var retryDeadline = DateTime.UtcNow.AddSeconds(20);
            while (NotStoredLogLines(connectionId) < notStored + 2 && DateTime.UtcNow < retryDeadline)
            {
                fixture.Time.Advance(TimeSpan.FromSeconds(2));
                await Task.Delay(100);
            }

            Assert.True(NotStoredLogLines(connectionId) >= notStored + 2, "The held refresh was not retried while the database was away.");
        }
        finally
        {
            await fixture.ExecuteSqlAsync("ALTER TABLE orleans_storage_offline RENAME TO orleans_storage");
        }

        var deadline = DateTime.UtcNow.AddSeconds(20);
        string current;
        do
        {
            fixture.Time.Advance(TimeSpan.FromSeconds(2));
            await Task.Delay(100);
            current = await Flow.AccessTokenAsync(connectionId);
        }
        while (current == stored && DateTime.UtcNow < deadline);

        Assert.NotEqual(stored, current);
        Assert.True(Provider.IsAccessTokenActive(current));
        Assert.Equal(1, RefreshCalls(clientId));
        var connection = await Flow.GetJsonAsync($"/v1/connections/{connectionId}");
        Assert.Equal("active", (string?)connection["status"]);
        Assert.Single(connection["history"]!.AsArray(), e => (string?)e!["kind"] == "recovered");
    }

    private async Task<(string ConnectionId, string ClientId)> ConnectAsync(string clientId, Func<TestClient, TestClient>? customize = null) =>
        (await Flow.ConnectOwnClientAsync(clientId, customize), clientId);


    private int NotStoredLogLines(string connectionId) =>
        fixture.Host.Logs.Lines.Count(l => l.Contains("could not be stored", StringComparison.Ordinal) && l.Contains(connectionId, StringComparison.Ordinal));

    /// <summary>Fails one on-demand refresh of each connection with a 503: each is degraded and backing off.</summary>
    private async Task DegradeAsync(params string[] connectionIds)
    {
        Provider.TokenEndpointOutage = 503;
        try
        {
            foreach (var connectionId in connectionIds)
            {
                await RefreshRefusedForNowAsync(connectionId);
                Assert.Equal("degraded", await StatusAsync(connectionId));
            }
        }
        finally
        {
            Provider.TokenEndpointOutage = null;
        }
    }

    private async Task RefreshAsync(string connectionId)
    {
        using var refresh = await Flow.Api.PostAsync($"/v1/connections/{connectionId}/refresh", null);
        Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
    }

    /// <summary>An on-demand refresh the provider failed transiently: a 503 saying when to retry; returns that wait.</summary>
    private async Task<TimeSpan> RefreshRefusedForNowAsync(string connectionId)
    {
        using var refresh = await Flow.Api.PostAsync($"/v1/connections/{connectionId}/refresh", null);
        return await Problem.AssertRetryLaterAsync(refresh, ConnectionErrorCodes.RefreshFailed);
    }

    /// <summary>Polls (in real time; the fake clock stands still) until the connection is active or the time is up.</summary>
    private async Task<bool> BecomesActiveAsync(string connectionId, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (await StatusAsync(connectionId) != "active")
        {
            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }

            await Task.Delay(100);
        }

        return true;
    }

    private async Task<string?> StatusAsync(string connectionId) => (string?)(await Flow.GetJsonAsync($"/v1/connections/{connectionId}"))["status"];

    private int RefreshCalls(string clientId) => Provider.RefreshGrantLog.Count(r => r.ClientId == clientId);

    private async Task<long> ReminderRowsAsync(string connectionId) =>
        (long)(await fixture.ExecuteSqlAsync("SELECT count(*) FROM orleans_reminders WHERE grain_id LIKE @grain", ("grain", $"%{connectionId}%")))!;

    private static DateTimeOffset Parse(JsonNode? value) => DateTimeOffset.Parse((string)value!, System.Globalization.CultureInfo.InvariantCulture);
}
