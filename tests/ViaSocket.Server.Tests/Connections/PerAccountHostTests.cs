using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ViaSocket.Connections;
using ViaSocket.Server.Tests.Infrastructure;
using ViaSocket.TestProvider;

namespace ViaSocket.Server.Tests.Connections;

/// <summary>
/// Per-account hosts end to end against the loopback provider: a Salesforce-like host from the token response that a
/// refresh moves, a QuickBooks-like realm from the callback in the base URL, a Zendesk-like subdomain field, the
/// metadata engines read, and hostile token responses and callbacks.
/// </summary>
public sealed class PerAccountHostTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private ConnectFlow Flow => fixture.Flow;

    private TestAuthorizationServer Provider => fixture.Provider;

    /// <summary>The provider under a second host name: a different origin for the allowed-URL checks, the same server.</summary>
    private string LocalhostOrigin => $"http://localhost:{Provider.BaseAddress.Port}";

    private string LoopbackOrigin => $"http://127.0.0.1:{Provider.BaseAddress.Port}";

    [Fact]
    public async Task A_salesforce_like_connection_proxies_to_its_instance_and_follows_it_when_a_refresh_moves_it()
    {
        var connectionId = await ConnectAsync("sf-like", SalesforceLike("sf-like"), client => client with { InstanceUrls = [LocalhostOrigin, LoopbackOrigin] });

        var credentials = await Flow.GetJsonAsync($"/v1/connections/{connectionId}/credentials");
        var metadata = await GetMetadataAsync(connectionId);
        using var relative = await ProxyAsync(connectionId, "/items?page=2");
        using var otherHost = await ProxyAsync(connectionId, $"{LoopbackOrigin}/api/items");

        Assert.Equal($"{LocalhostOrigin}/api", (string?)credentials["baseUrl"]);
        Assert.Equal($"{LocalhostOrigin}/api", (string?)metadata["baseUrl"]);
        Assert.Equal(LocalhostOrigin, (string?)metadata["extras"]!["instanceUrl"]);
        Assert.Equal("active", (string?)metadata["status"]);
        var echoed = JsonNode.Parse(await relative.Content.ReadAsStringAsync())!;
        Assert.True(relative.StatusCode == HttpStatusCode.OK, echoed.ToJsonString());
        Assert.Equal(200, (int)echoed["status"]!);
        Assert.Equal("/api/items", (string?)echoed["data"]!["path"]);
        Assert.Equal("2", (string?)echoed["data"]!["query"]!["page"]);
        Assert.Equal(HttpStatusCode.Forbidden, otherHost.StatusCode);

        using (var refresh = await Flow.Api.PostAsync($"/v1/connections/{connectionId}/refresh", null))
        {
            Assert.True(refresh.IsSuccessStatusCode, await refresh.Content.ReadAsStringAsync());
        }

        var moved = await Flow.GetJsonAsync($"/v1/connections/{connectionId}/credentials");
        var movedMetadata = await GetMetadataAsync(connectionId);
        using var relativeAfter = await ProxyAsync(connectionId, "/items");
        using var oldHost = await ProxyAsync(connectionId, $"{LocalhostOrigin}/api/items");

        Assert.Equal($"{LoopbackOrigin}/api", (string?)moved["baseUrl"]);
        Assert.Equal(LoopbackOrigin, (string?)movedMetadata["extras"]!["instanceUrl"]);
        Assert.Equal(HttpStatusCode.OK, relativeAfter.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, oldHost.StatusCode);
        Assert.Contains("proxy.url_not_allowed", await oldHost.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using (var disconnect = await Flow.Api.DeleteAsync($"/v1/connections/{connectionId}"))
        {
            Assert.Equal(HttpStatusCode.OK, disconnect.StatusCode);
        }

        var revoked = await GetMetadataAsync(connectionId);
        Assert.Equal("revoked", (string?)revoked["status"]);
        Assert.Null(revoked["baseUrl"]);
        Assert.Empty(revoked["extras"]!.AsObject());
    }

    public static TheoryData<string> HostileInstanceUrls =>
    [
        "https://evil.example",
        "https://my.salesforce.com.evil.example",
        "http://example.com",
        "https://alice@evil.example",
        "javascript:alert(1)",
        "//evil.example",
        "http://127.0.0.1:1/",
    ];

    [Theory]
    [MemberData(nameof(HostileInstanceUrls))]
    public async Task A_hostile_instance_url_in_the_token_response_fails_the_connect(string instanceUrl)
    {
        var clientId = "sf-hostile-" + Guid.NewGuid().ToString("N")[..8];
        Provider.RegisterClient(ProviderDefinitions.Client(fixture.Host.CallbackUrl, clientId) with { InstanceUrls = [instanceUrl] });
        await Flow.PublishAsync(clientId, "v1", SalesforceLike(clientId));

        var (connectionId, authorizeUrl) = await Flow.StartAsync(clientId, "v1", ownerId: clientId);
        using var callback = await Flow.CallbackAsync(await Flow.ConsentAsync(authorizeUrl));

        var outcome = ConnectFlow.ReturnQuery(callback);
        Assert.Equal("error", outcome["status"]);
        Assert.Equal("connection.template_failed", outcome["error"]);
        var connection = await Flow.GetJsonAsync($"/v1/connections/{connectionId}");
        Assert.Equal("pending", (string?)connection["status"]);
        using var credentials = await Flow.Api.GetAsync($"/v1/connections/{connectionId}/credentials");
        Assert.Equal(HttpStatusCode.Conflict, credentials.StatusCode);
    }

    [Fact]
    public async Task A_refresh_that_moves_the_instance_to_a_foreign_host_serves_no_credentials_and_proxies_nowhere()
    {
        var connectionId = await ConnectAsync("sf-moved-away", SalesforceLike("sf-moved-away"), client => client with { InstanceUrls = [LocalhostOrigin, "https://evil.example"] });

        using (var refresh = await Flow.Api.PostAsync($"/v1/connections/{connectionId}/refresh", null))
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refresh.StatusCode);
        }

        using var credentials = await Flow.Api.GetAsync($"/v1/connections/{connectionId}/credentials");
        using var relative = await ProxyAsync(connectionId, "/items");
        using var foreign = await ProxyAsync(connectionId, "https://evil.example/api/items");
        var metadata = await GetMetadataAsync(connectionId);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, credentials.StatusCode);
        Assert.Contains("connection.template_failed", await credentials.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, relative.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, foreign.StatusCode);
        Assert.Null(metadata["baseUrl"]);
        Assert.Equal("https://evil.example", (string?)metadata["extras"]!["instanceUrl"]);
    }

    [Fact]
    public async Task A_quickbooks_like_realm_from_the_callback_fills_in_the_base_url()
    {
        var connectionId = await ConnectAsync("qb-like", QuickBooksLike("qb-like"), client => client with { CallbackExtras = new Dictionary<string, string> { ["realmId"] = "4620816365" } });

        var credentials = await Flow.GetJsonAsync($"/v1/connections/{connectionId}/credentials");
        var metadata = await GetMetadataAsync(connectionId);
        using var query = await ProxyAsync(connectionId, "/query?minorversion=75");
        using var otherRealm = await ProxyAsync(connectionId, "/../1234/query");

        Assert.Equal($"{LoopbackOrigin}/api/company/4620816365", (string?)credentials["baseUrl"]);
        Assert.Equal("4620816365", (string?)metadata["extras"]!["realmId"]);
        Assert.Equal(HttpStatusCode.OK, query.StatusCode);
        var echoed = JsonNode.Parse(await query.Content.ReadAsStringAsync())!;
        Assert.Equal("/api/company/4620816365/query", (string?)echoed["data"]!["path"]);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, otherRealm.StatusCode);
    }

    [Theory]
    [InlineData("4620816365/../1234")]
    [InlineData("1 OR 1=1")]
    [InlineData("12345678901234567890123")]
    public async Task A_hostile_realm_in_the_callback_fails_the_connect_and_is_not_kept(string realmId)
    {
        var clientId = "qb-hostile-" + Guid.NewGuid().ToString("N")[..8];
        Provider.RegisterClient(ProviderDefinitions.Client(fixture.Host.CallbackUrl, clientId) with { CallbackExtras = new Dictionary<string, string> { ["realmId"] = realmId } });
        await Flow.PublishAsync(clientId, "v1", QuickBooksLike(clientId));

        var (connectionId, authorizeUrl) = await Flow.StartAsync(clientId, "v1", ownerId: clientId);
        using var callback = await Flow.CallbackAsync(await Flow.ConsentAsync(authorizeUrl));

        var outcome = ConnectFlow.ReturnQuery(callback);
        Assert.Equal("connection.invalid_callback", outcome["error"]);
        var connection = await Flow.GetJsonAsync($"/v1/connections/{connectionId}");
        Assert.Equal("pending", (string?)connection["status"]);
        Assert.DoesNotContain(realmId, connection.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_callback_parameter_cannot_replace_a_field_value()
    {
        const string clientId = "field-overwrite";
        Provider.RegisterClient(ProviderDefinitions.Client(fixture.Host.CallbackUrl, clientId) with
        {
            CallbackExtras = new Dictionary<string, string> { ["tenant"] = "attacker", ["testme"] = "x" },
        });
        var definition = ProviderDefinitions.JavaScript(Provider, clientId: clientId);
        definition["fields"] = new JsonArray(new JsonObject { ["key"] = "tenant", ["label"] = "Tenant", ["required"] = true });
        definition["connectionLabel"] = "${context.authData.tenant}";
        await Flow.PublishAsync(clientId, "v1", definition);

        var (connectionId, authorizeUrl) = await Flow.StartAsync(clientId, "v1", ownerId: clientId, fields: new { tenant = "acme" });
        using var callback = await Flow.CallbackAsync(await Flow.ConsentAsync(authorizeUrl));

        Assert.Equal("success", ConnectFlow.ReturnQuery(callback)["status"]);
        var connection = await Flow.GetJsonAsync($"/v1/connections/{connectionId}");
        Assert.Equal("acme", (string?)connection["label"]);
    }

    [Fact]
    public async Task A_callback_with_a_repeated_parameter_is_refused_before_its_state_is_used()
    {
        await Flow.PublishAsync("repeated-callback", "v1", ProviderDefinitions.JavaScript(Provider));
        var (_, authorizeUrl) = await Flow.StartAsync("repeated-callback", "v1");
        var callbackUrl = await Flow.ConsentAsync(authorizeUrl);

        using var repeated = await Flow.CallbackAsync(new Uri(callbackUrl + "&code=attacker-code"));
        using var original = await Flow.CallbackAsync(callbackUrl);

        Assert.Equal(HttpStatusCode.BadRequest, repeated.StatusCode);
        Assert.Equal("success", ConnectFlow.ReturnQuery(original)["status"]);
    }

    [Fact]
    public async Task A_zendesk_like_subdomain_renders_the_allowed_and_base_urls_for_credentials_apply()
    {
        var definition = ProviderDefinitions.JavaScript(Provider);
        definition["fields"] = new JsonArray(new JsonObject { ["key"] = "subdomain", ["label"] = "Subdomain", ["required"] = true, ["format"] = "dnsLabel" });
        definition["allowedUrls"] = new JsonArray(
            Provider.TokenUrl.ToString(), Provider.RevokeUrl.ToString(), Provider.UserInfoUrl.ToString(), "https://${context.authData.subdomain}.zendesk.example/api/**");
        definition["baseUrl"] = "https://${context.authData.subdomain}.zendesk.example/api/v2";
        definition["publicExtras"] = new JsonObject { ["subdomain"] = "${context.authData.subdomain}" };
        await Flow.PublishAsync("zd-like", "v1", definition);
        var (connectionId, authorizeUrl) = await Flow.StartAsync("zd-like", "v1", fields: new { subdomain = "acme" });
        using (var callback = await Flow.CallbackAsync(await Flow.ConsentAsync(authorizeUrl)))
        {
            Assert.Equal("success", ConnectFlow.ReturnQuery(callback)["status"]);
        }

        var apply = $"/v1/connections/{connectionId}/credentials:apply";
        using var relative = await Flow.Api.PostAsJsonAsync(apply, new { method = "GET", url = "/tickets.json?page=1" });
        using var otherAccount = await Flow.Api.PostAsJsonAsync(apply, new { method = "GET", url = "https://globex.zendesk.example/api/v2/tickets.json" });
        using var protocolRelative = await Flow.Api.PostAsJsonAsync(apply, new { method = "GET", url = "//evil.example/api/v2" });
        var metadata = await GetMetadataAsync(connectionId);

        var applied = JsonNode.Parse(await relative.Content.ReadAsStringAsync())!;
        Assert.True(relative.IsSuccessStatusCode, applied.ToJsonString());
        Assert.Equal("https://acme.zendesk.example/api/v2/tickets.json?page=1", (string?)applied["url"]);
        Assert.Equal(HttpStatusCode.Forbidden, otherAccount.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, protocolRelative.StatusCode);
        Assert.Equal("https://acme.zendesk.example/api/v2", (string?)metadata["baseUrl"]);
        Assert.Equal("acme", (string?)metadata["extras"]!["subdomain"]);
    }

    [Fact]
    public async Task Metadata_from_the_api_and_the_grain_never_carries_token_material_and_is_not_visible_to_another_workspace()
    {
        var connectionId = await ConnectAsync("sf-metadata", SalesforceLike("sf-metadata"), client => client with { InstanceUrls = [LocalhostOrigin] });
        var other = ViaSocket.Server.Security.ApiKey.Generate();
        Assert.True(await fixture.Host.Grains.GetGrain<ViaSocket.Workspaces.IApiKeyGrain>(other.KeyId)
            .CreateAsync(new ViaSocket.Workspaces.ApiKeyRegistration("workspace-metadata-b", other.SecretHash(), ViaSocket.Workspaces.ApiKeyScopes.All, "test")));
        using var intruder = fixture.Host.CreateClient(other.Reveal());

        using var own = await Flow.Api.GetAsync($"/v1/connections/{connectionId}/metadata");
        using var foreign = await intruder.GetAsync($"/v1/connections/{connectionId}/metadata");

        var grainAnswer = await fixture.Host.Grains.GetGrain<IConnectionGrain>(GrainKeys.Connection("default", connectionId)).GetMetadataAsync();

        var body = await own.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal($"{LocalhostOrigin}/api", grainAnswer!.BaseUrl);
        Assert.Equal(LocalhostOrigin, grainAnswer.Extras["instanceUrl"]);
        Assert.Equal(ConnectionStatus.Active, grainAnswer.Status);
        Assert.DoesNotContain(Provider.IssuedSecrets, secret => body.Contains(secret, StringComparison.Ordinal));
        Assert.DoesNotContain(ProviderDefinitions.ClientSecret, body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
    }

    [Fact]
    public async Task A_public_extra_reading_a_token_is_refused_when_the_version_is_saved()
    {
        var definition = SalesforceLike("sf-leaky");
        definition["publicExtras"] = new JsonObject { ["token"] = "${context.authData.accesstokencode.access_token}" };

        using var put = await Flow.Api.PutAsJsonAsync("/v1/plugins/sf-leaky/auth-versions/v1", definition);

        var body = await put.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.UnprocessableEntity, put.StatusCode);
        Assert.Contains("definition.public_value_reads_secret", body, StringComparison.Ordinal);
        Assert.Contains("/publicExtras/token", body, StringComparison.Ordinal);
    }

    /// <summary>The instance comes from the token response; only the two provider origins may be it.</summary>
    private JsonObject SalesforceLike(string clientId)
    {
        var definition = ProviderDefinitions.JavaScript(Provider, clientId: clientId);
        definition["allowedUrls"] = new JsonArray(
            Provider.TokenUrl.ToString(), Provider.RevokeUrl.ToString(), Provider.UserInfoUrl.ToString(), "${context.authData.accesstokencode.instance_url}/api/**");
        definition["originHosts"] = new JsonArray(LocalhostOrigin, LoopbackOrigin);
        definition["baseUrl"] = "${context.authData.accesstokencode.instance_url}/api";
        definition["publicExtras"] = new JsonObject { ["instanceUrl"] = "${context.authData.accesstokencode.instance_url}" };
        return definition;
    }

    /// <summary>The company (realm) arrives as a callback parameter and becomes part of the base URL.</summary>
    private JsonObject QuickBooksLike(string clientId)
    {
        var definition = ProviderDefinitions.JavaScript(Provider, clientId: clientId);
        definition["callbackParameters"] = new JsonArray(new JsonObject { ["name"] = "realmId", ["format"] = "integer", ["required"] = true });
        definition["allowedUrls"] = new JsonArray(
            Provider.TokenUrl.ToString(), Provider.RevokeUrl.ToString(), Provider.UserInfoUrl.ToString(), $"{LoopbackOrigin}/api/company/**");
        definition["baseUrl"] = LoopbackOrigin + "/api/company/${context.authData.callback.realmId}";
        definition["publicExtras"] = new JsonObject { ["realmId"] = "${context.authData.callback.realmId}" };
        return definition;
    }

    private async Task<string> ConnectAsync(string clientId, JsonObject definition, Func<TestClient, TestClient> customize)
    {
        Provider.RegisterClient(customize(ProviderDefinitions.Client(fixture.Host.CallbackUrl, clientId)));
        await Flow.PublishAsync(clientId, "v1", definition);
        var outcome = await Flow.ConnectAsync(clientId, "v1", ownerId: clientId);
        Assert.True(outcome["status"] == "success", string.Join(", ", outcome.Select(p => $"{p.Key}={p.Value}")));
        return outcome["connectionId"];
    }

    private Task<JsonNode> GetMetadataAsync(string connectionId) => Flow.GetJsonAsync($"/v1/connections/{connectionId}/metadata");

    private Task<HttpResponseMessage> ProxyAsync(string connectionId, string url) =>
        Flow.Api.PostAsJsonAsync($"/v1/connections/{connectionId}/proxy", new { method = "GET", url });
}
