using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;
using ViaSocket.Server.Tests.Infrastructure;
using ViaSocket.Testing.Postgres;
using ViaSocket.TestProvider;

namespace ViaSocket.Server.Tests.Connections;

/// <summary>The less travelled paths of the connect flow and of the proxy.</summary>
public sealed class ConnectFlowEdgeTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private ConnectFlow Flow => fixture.Flow;

    private TestAuthorizationServer Provider => fixture.Provider;

    [Fact]
    public async Task The_get_variant_redirects_straight_to_the_provider()
    {
        await Flow.PublishAsync("edge-get", "v1", ProviderDefinitions.JavaScript(Provider));

        using var response = await Flow.Api.GetAsync($"/v1/connections/authorize?pluginId=edge-get&versionId=v1&ownerId=u1&returnUrl={Uri.EscapeDataString(ConnectFlow.ReturnUrl)}");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.StartsWith(Provider.AuthorizeUrl.ToString(), location.ToString(), StringComparison.Ordinal);
        using var callback = await Flow.CallbackAsync(await Flow.ConsentAsync(location));
        Assert.Equal("success", ConnectFlow.ReturnQuery(callback)["status"]);
    }

    [Fact]
    public async Task A_callback_from_an_unexpected_issuer_is_refused()
    {
        const string clientId = "edge-mixup";
        Provider.RegisterClient(ProviderDefinitions.Client(fixture.Host.CallbackUrl, clientId) with { IssuerParameter = IssuerParameterMode.Wrong });
        await Flow.PublishAsync(clientId, "v1", ProviderDefinitions.JavaScript(Provider, clientId: clientId));
        var grants = Provider.AuthorizationCodeGrants;

        var (connectionId, authorizeUrl) = await Flow.StartAsync(clientId, "v1");
        using var callback = await Flow.CallbackAsync(await Flow.ConsentAsync(authorizeUrl));

        var outcome = ConnectFlow.ReturnQuery(callback);
        Assert.Equal("connection.issuer_mismatch", outcome["error"]);
        Assert.Equal(grants, Provider.AuthorizationCodeGrants);
        var connection = await Flow.GetJsonAsync($"/v1/connections/{connectionId}");
        Assert.Equal("pending", (string?)connection["status"]);
    }

    [Fact]
    public async Task A_failing_test_me_reports_the_error_and_leaves_no_active_connection()
    {
        var definition = ProviderDefinitions.JavaScript(Provider);
        definition["testMe"]!["request"]!["url"] = new Uri(Provider.BaseAddress, "/userinfo/missing").ToString();
        await Flow.PublishAsync("edge-testme", "v1", definition);
        var (connectionId, authorizeUrl) = await Flow.StartAsync("edge-testme", "v1");

        using var callback = await Flow.CallbackAsync(await Flow.ConsentAsync(authorizeUrl));

        Assert.Equal("connection.test_me_failed", ConnectFlow.ReturnQuery(callback)["error"]);
        var connection = await Flow.GetJsonAsync($"/v1/connections/{connectionId}");
        Assert.Equal("pending", (string?)connection["status"]);
        Assert.Equal(404, (int)connection["lastError"]!["providerStatus"]!);
        using var credentials = await Flow.Api.GetAsync($"/v1/connections/{connectionId}/credentials");
        Assert.Equal(HttpStatusCode.Conflict, credentials.StatusCode);
    }

    [Fact]
    public async Task Testing_a_connection_reruns_test_me_and_records_it()
    {
        await Flow.PublishAsync("edge-retest", "v1", ProviderDefinitions.JavaScript(Provider));
        var connectionId = (await Flow.ConnectAsync("edge-retest", "v1", ownerId: "retest"))["connectionId"];

        using var response = await Flow.Api.PostAsync($"/v1/connections/{connectionId}/test", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var connection = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("alice@example.com", (string?)connection["label"]);
        Assert.Contains(connection["history"]!.AsArray(), e => (string?)e!["kind"] == "tested");
    }
}

/// <summary>The proxy refreshes and retries once when the provider says the token expired.</summary>
public sealed class ProxyRefreshTests
{
    [Fact]
    public async Task A_401_from_the_api_refreshes_the_token_and_the_retry_succeeds()
    {
        var connectionString = await new PostgresFixture().CreateDatabaseAsync();
        var providerClock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var provider = await TestAuthorizationServer.StartAsync(time: providerClock);
        await using var host = await ViaSocketTestHost.StartAsync(connectionString);
        provider.RegisterClient(ProviderDefinitions.Client(host.CallbackUrl));
        var flow = new ConnectFlow(host, provider);
        await flow.PublishAsync("crm", "v1", ProviderDefinitions.JavaScript(provider));
        var connectionId = (await flow.ConnectAsync("crm", "v1"))["connectionId"];

        // The provider's clock runs ahead: it now considers the token expired although the service does not yet.
        providerClock.Advance(TimeSpan.FromHours(2));
        using var response = await flow.Api.PostAsJsonAsync($"/v1/connections/{connectionId}/proxy", new { method = "GET", url = new Uri(provider.ResourceUrl, "me").ToString() });

        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(200, (int)body["status"]!);
        Assert.True((bool)body["refreshed"]!);
        Assert.Equal(1, provider.RefreshGrants);
        Assert.Equal(0, provider.RefreshTokenReuseCount);
    }
}

/// <summary>An authorization state older than ten minutes is refused.</summary>
public sealed class ExpiredStateTests(FakeClockServiceFixture fixture) : IClassFixture<FakeClockServiceFixture>
{
    [Fact]
    public async Task A_callback_after_the_state_expired_is_refused_and_changes_nothing()
    {
        await fixture.Flow.PublishAsync("edge-expired", "v1", ProviderDefinitions.JavaScript(fixture.Provider));
        var (connectionId, authorizeUrl) = await fixture.Flow.StartAsync("edge-expired", "v1");
        var callbackUrl = await fixture.Flow.ConsentAsync(authorizeUrl);
        var grants = fixture.Provider.AuthorizationCodeGrants;

        fixture.Time.Advance(TimeSpan.FromMinutes(11));
        using var callback = await fixture.Flow.CallbackAsync(callbackUrl);

        Assert.Equal(HttpStatusCode.BadRequest, callback.StatusCode);
        Assert.Contains("invalid_state", await callback.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(grants, fixture.Provider.AuthorizationCodeGrants);
        var connection = await fixture.Flow.GetJsonAsync($"/v1/connections/{connectionId}");
        Assert.Equal("pending", (string?)connection["status"]);
    }
}
