using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ViaSocket.Connections;
using ViaSocket.Server.Tests.Infrastructure;
using ViaSocket.Testing.Hostile;
using ViaSocket.TestProvider;

namespace ViaSocket.Server.Tests.Connections;

/// <summary>
/// Field values typed to move a request elsewhere (a subdomain of <c>attacker.example/x?</c> and the rest of the corpus)
/// are refused on connect with problem+json before anything is rendered or stored; values the URL templates cannot
/// see (JavaScript string building) are stopped by the allowed-URL check before a secret leaves.
/// </summary>
public sealed class HostileFieldValueTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private ConnectFlow Flow => fixture.Flow;

    private TestAuthorizationServer Provider => fixture.Provider;

    public static TheoryData<string> HostileValues => [.. HostileFieldValues.All];

    [Theory]
    [MemberData(nameof(HostileValues))]
    public async Task A_hostile_subdomain_is_refused_on_connect_with_a_problem_and_nothing_is_stored(string value)
    {
        var pluginId = "per-account-" + Guid.NewGuid().ToString("N")[..12];
        await PublishPerAccountVersionAsync(pluginId);

        using var response = await StartAsync(pluginId, new { subdomain = value });

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, $"{(int)response.StatusCode} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = JsonNode.Parse(body)!;
        Assert.Equal("connection.invalid_fields", (string?)problem["code"]);
        Assert.Contains("'Subdomain'", (string?)problem["detail"], StringComparison.Ordinal);
        Assert.DoesNotContain("authorizeUrl", body, StringComparison.Ordinal);
        var stored = await Flow.GetJsonAsync($"/v1/connections?pluginId={pluginId}&include=pending");
        Assert.Empty(stored["items"]!.AsArray());
    }

    [Fact]
    public async Task A_dns_label_fills_in_the_authorize_host_the_author_wrote()
    {
        await PublishPerAccountVersionAsync("per-account-ok");

        using var response = await StartAsync("per-account-ok", new { subdomain = "acme-2" });

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        var authorizeUrl = new Uri((string)JsonNode.Parse(body)!["authorizeUrl"]!);
        Assert.Equal("acme-2.auth.example.com", authorizeUrl.Host);
        Assert.Equal("/oauth/authorize", authorizeUrl.AbsolutePath);
    }

    [Fact]
    public async Task A_javascript_token_request_moved_by_a_field_value_is_not_sent_and_the_connection_fails_clearly()
    {
        await using var attacker = await TestAuthorizationServer.StartAsync();
        await Flow.PublishAsync("js-host", "v1", WithTokenHostField(ProviderDefinitions.JavaScript(Provider)));
        var tokenRequests = Provider.TokenRequests;

        var (connectionId, authorizeUrl) = await Flow.StartAsync("js-host", "v1", fields: new { tokenHost = Authority(attacker.BaseAddress) });
        using var callback = await Flow.CallbackAsync(await Flow.ConsentAsync(authorizeUrl));

        var outcome = ConnectFlow.ReturnQuery(callback);
        Assert.Equal("error", outcome["status"]);
        Assert.Equal(0, attacker.TokenRequests);
        Assert.Equal(tokenRequests, Provider.TokenRequests);
        var connection = await Flow.GetJsonAsync($"/v1/connections/{connectionId}");
        Assert.Equal("connection.access_token_failed", (string?)connection["lastError"]!["code"]);
        Assert.Contains("outside the auth version's allowed URLs", (string?)connection["lastError"]!["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_javascript_block_connects_when_the_value_names_an_allowed_host()
    {
        await Flow.PublishAsync("js-host-ok", "v1", WithTokenHostField(ProviderDefinitions.JavaScript(Provider)));

        var (_, authorizeUrl) = await Flow.StartAsync("js-host-ok", "v1", fields: new { tokenHost = Authority(Provider.BaseAddress) });
        using var callback = await Flow.CallbackAsync(await Flow.ConsentAsync(authorizeUrl));

        Assert.Equal("success", ConnectFlow.ReturnQuery(callback)["status"]);
    }

    [Fact]
    public async Task A_refresh_moved_by_a_field_value_is_not_sent()
    {
        await using var attacker = await TestAuthorizationServer.StartAsync();
        var definition = ProviderDefinitions.JavaScript(Provider);
        definition["fields"] = new JsonArray(new JsonObject { ["key"] = "refreshHost", ["label"] = "Refresh host" });
        definition["refreshToken"]!["code"] = ((string)definition["refreshToken"]!["code"]!)
            .Replace($"'{Provider.TokenUrl}'", "'http://' + context.authData.refreshHost + '/token'", StringComparison.Ordinal);
        await Flow.PublishAsync("js-refresh-host", "v1", definition);
        var (connectionId, authorizeUrl) = await Flow.StartAsync("js-refresh-host", "v1", fields: new { refreshHost = Authority(attacker.BaseAddress) });
        using var callback = await Flow.CallbackAsync(await Flow.ConsentAsync(authorizeUrl));
        Assert.Equal("success", ConnectFlow.ReturnQuery(callback)["status"]);

        using var refresh = await Flow.Api.PostAsync($"/v1/connections/{connectionId}/refresh", null);

        await Problem.AssertRetryLaterAsync(refresh, ConnectionErrorCodes.RefreshFailed);
        var view = await Flow.GetJsonAsync($"/v1/connections/{connectionId}");
        Assert.Contains(view["history"]!.AsArray(), entry => (string?)entry!["kind"] == "refresh_failed" && (string?)entry["detail"] == "block.url_not_allowed");
        Assert.Equal(0, attacker.TokenRequests);
    }

    [Fact]
    public async Task Per_account_allowed_urls_are_rendered_per_connection_for_the_proxy()
    {
        var definition = ProviderDefinitions.JavaScript(Provider);
        definition["fields"] = new JsonArray(new JsonObject { ["key"] = "tenant", ["label"] = "Tenant", ["required"] = true });
        var allowed = ProviderDefinitions.AllowedUrls(Provider);
        allowed[0] = new Uri(Provider.BaseAddress, "/api/").ToString() + "${context.authData.tenant}";
        definition["allowedUrls"] = allowed;
        await Flow.PublishAsync("per-tenant", "v1", definition);
        var (connectionId, authorizeUrl) = await Flow.StartAsync("per-tenant", "v1", fields: new { tenant = "acme" });
        using var callback = await Flow.CallbackAsync(await Flow.ConsentAsync(authorizeUrl));
        Assert.Equal("success", ConnectFlow.ReturnQuery(callback)["status"]);
        var proxy = $"/v1/connections/{connectionId}/proxy";

        using var own = await Flow.Api.PostAsJsonAsync(proxy, new { method = "GET", url = new Uri(Provider.BaseAddress, "/api/acme/items").ToString() });
        using var other = await Flow.Api.PostAsJsonAsync(proxy, new { method = "GET", url = new Uri(Provider.BaseAddress, "/api/globex/items").ToString() });
        using var dotted = await StartAsync("per-tenant", new { tenant = ".." });

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, other.StatusCode);
        Assert.Contains("proxy.url_not_allowed", await other.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, dotted.StatusCode);
    }

    private Task<HttpResponseMessage> StartAsync(string pluginId, object fields) =>
        Flow.Api.PostAsJsonAsync("/v1/connections", new { pluginId, versionId = "v1", ownerId = "user-1", fields, returnUrl = ConnectFlow.ReturnUrl });

    /// <summary>A version whose authorize, token and API hosts are per account (a Zendesk-like subdomain).</summary>
    private Task PublishPerAccountVersionAsync(string pluginId)
    {
        var definition = ProviderDefinitions.Declarative(Provider);
        definition["fields"] = new JsonArray(new JsonObject { ["key"] = "subdomain", ["label"] = "Subdomain", ["required"] = true });
        definition["authorization"]!["url"] = "https://${context.authData.subdomain}.auth.example.com/oauth/authorize";
        definition["accessToken"]!["request"]!["url"] = "https://${context.authData.subdomain}.api.example.com/oauth/token";
        definition["allowedUrls"] = new JsonArray("https://${context.authData.subdomain}.api.example.com");
        return Flow.PublishAsync(pluginId, "v1", definition);
    }

    /// <summary>The token exchange builds its URL in JavaScript from a field no URL template reads.</summary>
    private JsonObject WithTokenHostField(JsonObject definition)
    {
        definition["fields"] = new JsonArray(new JsonObject { ["key"] = "tokenHost", ["label"] = "Token host" });
        definition["accessToken"]!["code"] = ((string)definition["accessToken"]!["code"]!)
            .Replace($"'{Provider.TokenUrl}'", "'http://' + context.authData.tokenHost + '/token'", StringComparison.Ordinal);
        return definition;
    }

    private static string Authority(Uri uri) => $"{uri.Host}:{uri.Port}";
}
