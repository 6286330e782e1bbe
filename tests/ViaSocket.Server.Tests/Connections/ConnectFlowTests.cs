using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ViaSocket.Server.Tests.Infrastructure;
using ViaSocket.TestProvider;

namespace ViaSocket.Server.Tests.Connections;

/// <summary>The OAuth connect flow end to end over loopback HTTP, against a real authorization server.</summary>
public sealed class ConnectFlowTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private ConnectFlow Flow => fixture.Flow;

    private TestAuthorizationServer Provider => fixture.Provider;

    [Fact]
    public async Task A_javascript_version_connects_labels_and_serves_credentials_the_provider_accepts()
    {
        await Flow.PublishAsync("crm-js", "v1", ProviderDefinitions.JavaScript(Provider));

        var outcome = await Flow.ConnectAsync("crm-js", "v1");

        Assert.Equal("success", outcome["status"]);
        var connection = await Flow.GetJsonAsync($"/v1/connections/{outcome["connectionId"]}");
        Assert.Equal("active", (string?)connection["status"]);
        Assert.Equal("alice@example.com", (string?)connection["label"]);
        var credentials = await Flow.GetJsonAsync($"/v1/connections/{outcome["connectionId"]}/credentials");
        var authorization = (string)credentials["headers"]!["Authorization"]!;
        Assert.StartsWith("Bearer ", authorization, StringComparison.Ordinal);
        Assert.True(Provider.IsAccessTokenActive(authorization["Bearer ".Length..]));
    }

    [Fact]
    public async Task A_declarative_version_with_comma_scopes_and_client_secret_post_keeps_provider_extras()
    {
        Provider.RegisterClient(ProviderDefinitions.Client(fixture.Host.CallbackUrl) with
        {
            AuthMethods = ClientAuthMethods.ClientSecretPost,
            ScopeSeparator = ScopeSeparator.Comma,
            CallbackExtras = new Dictionary<string, string> { ["realmId"] = "4620816365" },
        });
        try
        {
            await Flow.PublishAsync("crm-declarative", "v1", ProviderDefinitions.Declarative(Provider));
            var (connectionId, authorizeUrl) = await Flow.StartAsync("crm-declarative", "v1");
            Assert.Contains("scope=read%2Cwrite", authorizeUrl.Query, StringComparison.Ordinal);

            using var callback = await Flow.CallbackAsync(await Flow.ConsentAsync(authorizeUrl));

            Assert.Equal("success", ConnectFlow.ReturnQuery(callback)["status"]);
            var connection = await Flow.GetJsonAsync($"/v1/connections/{connectionId}");
            Assert.Equal("a***@example.com (realm 4620816365)", (string?)connection["label"]);
            var credentials = await Flow.GetJsonAsync($"/v1/connections/{connectionId}/credentials");
            Assert.Equal("4620816365", (string?)credentials["query"]!["realm"]);
        }
        finally
        {
            Provider.RegisterClient(ProviderDefinitions.Client(fixture.Host.CallbackUrl));
        }
    }

    [Fact]
    public async Task The_authorize_url_carries_state_and_an_s256_challenge_that_the_provider_verifies()
    {
        await Flow.PublishAsync("crm-pkce", "v1", ProviderDefinitions.JavaScript(Provider));

        var (_, authorizeUrl) = await Flow.StartAsync("crm-pkce", "v1");

        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(authorizeUrl.Query);
        Assert.Equal("code", query["response_type"]);
        Assert.Equal(ProviderDefinitions.ClientId, query["client_id"]);
        Assert.Equal(fixture.Host.CallbackUrl.ToString(), query["redirect_uri"]);
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.True(query["state"].ToString().Length >= 22, "state must carry at least 128 bits");
        Assert.DoesNotContain(ProviderDefinitions.ClientSecret, authorizeUrl.ToString(), StringComparison.Ordinal);
        using var callback = await Flow.CallbackAsync(await Flow.ConsentAsync(authorizeUrl));
        Assert.Equal("success", ConnectFlow.ReturnQuery(callback)["status"]);
    }

    [Fact]
    public async Task Denied_consent_sends_the_user_back_with_the_error_and_nothing_becomes_active()
    {
        await Flow.PublishAsync("crm-deny", "v1", ProviderDefinitions.JavaScript(Provider));
        var (connectionId, authorizeUrl) = await Flow.StartAsync("crm-deny", "v1");

        using var callback = await Flow.CallbackAsync(await Flow.ConsentAsync(authorizeUrl, allow: false));

        var outcome = ConnectFlow.ReturnQuery(callback);
        Assert.Equal("error", outcome["status"]);
        Assert.Equal("connection.provider_error", outcome["error"]);
        var connection = await Flow.GetJsonAsync($"/v1/connections/{connectionId}");
        Assert.Equal("pending", (string?)connection["status"]);
        Assert.Contains("access_denied", (string?)connection["lastError"]!["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_forged_state_is_refused_with_an_error_page_and_changes_nothing()
    {
        using var response = await Flow.CallbackAsync(new Uri(fixture.Host.CallbackUrl, "?code=stolen&state=forged-state-value"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Contains("no-store", response.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
        Assert.Contains("invalid_state", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_replayed_callback_is_refused()
    {
        await Flow.PublishAsync("crm-replay", "v1", ProviderDefinitions.JavaScript(Provider));
        var (_, authorizeUrl) = await Flow.StartAsync("crm-replay", "v1");
        var callbackUrl = await Flow.ConsentAsync(authorizeUrl);
        var grantsBefore = Provider.AuthorizationCodeGrants;
        using var first = await Flow.CallbackAsync(callbackUrl);
        Assert.Equal("success", ConnectFlow.ReturnQuery(first)["status"]);

        using var replay = await Flow.CallbackAsync(callbackUrl);

        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        Assert.Equal(grantsBefore + 1, Provider.AuthorizationCodeGrants);
    }

    [Fact]
    public async Task Of_two_concurrent_callbacks_with_the_same_state_exactly_one_succeeds()
    {
        await Flow.PublishAsync("crm-race", "v1", ProviderDefinitions.JavaScript(Provider));
        var (_, authorizeUrl) = await Flow.StartAsync("crm-race", "v1");
        var callbackUrl = await Flow.ConsentAsync(authorizeUrl);

        var responses = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Flow.CallbackAsync(callbackUrl)));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Redirect);
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.BadRequest);
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task Connecting_the_same_account_again_updates_the_existing_connection()
    {
        await Flow.PublishAsync("crm-dedupe", "v1", ProviderDefinitions.JavaScript(Provider));
        var first = await Flow.ConnectAsync("crm-dedupe", "v1", ownerId: "dedupe-owner");

        var second = await Flow.ConnectAsync("crm-dedupe", "v1", ownerId: "dedupe-owner");

        Assert.Equal(first["connectionId"], second["connectionId"]);
        var list = await Flow.GetJsonAsync("/v1/connections?ownerId=dedupe-owner&pluginId=crm-dedupe");
        Assert.Single(list["items"]!.AsArray());
    }

    [Fact]
    public async Task Reconnecting_keeps_the_connection_id()
    {
        await Flow.PublishAsync("crm-reconnect", "v1", ProviderDefinitions.JavaScript(Provider));
        var first = await Flow.ConnectAsync("crm-reconnect", "v1", ownerId: "reconnect-owner");

        var again = await Flow.ConnectAsync("crm-reconnect", "v1", ownerId: "reconnect-owner", connectionId: first["connectionId"]);

        Assert.Equal(first["connectionId"], again["connectionId"]);
        var connection = await Flow.GetJsonAsync($"/v1/connections/{first["connectionId"]}");
        Assert.Equal("active", (string?)connection["status"]);
        Assert.Contains(connection["history"]!.AsArray(), e => (string?)e!["kind"] == "reconnected");
    }

    [Fact]
    public async Task The_proxy_sends_credentials_to_allowed_urls_and_refuses_others()
    {
        await Flow.PublishAsync("crm-proxy", "v1", ProviderDefinitions.JavaScript(Provider));
        var outcome = await Flow.ConnectAsync("crm-proxy", "v1", ownerId: "proxy-owner");
        var path = $"/v1/connections/{outcome["connectionId"]}/proxy";

        using var allowed = await Flow.Api.PostAsJsonAsync(path, new { method = "GET", url = new Uri(Provider.ResourceUrl, "items").ToString(), query = new { page = "2" } });
        using var refused = await Flow.Api.PostAsJsonAsync(path, new { method = "GET", url = Provider.AuthorizeUrl.ToString() });

        var body = JsonNode.Parse(await allowed.Content.ReadAsStringAsync())!;
        Assert.Equal(200, (int)body["status"]!);
        Assert.Equal("alice@example.com", (string?)body["data"]!["user"]!["email"]);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("proxy.url_not_allowed", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Starting_with_missing_required_fields_or_an_unpublished_version_is_a_clear_error()
    {
        var definition = ProviderDefinitions.JavaScript(Provider);
        definition["fields"] = new JsonArray(new JsonObject { ["key"] = "subdomain", ["label"] = "Subdomain", ["required"] = true });
        await Flow.PublishAsync("crm-fields", "v1", definition);

        using var missing = await Flow.Api.PostAsJsonAsync("/v1/connections", new { pluginId = "crm-fields", versionId = "v1", ownerId = "u", fields = new { other = "x" } });
        using var unpublished = await Flow.Api.PostAsJsonAsync("/v1/connections", new { pluginId = "crm-fields", versionId = "v9", ownerId = "u" });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType!.MediaType);
        var problem = await missing.Content.ReadAsStringAsync();
        Assert.Contains("connection.invalid_fields", problem, StringComparison.Ordinal);
        Assert.Contains("Subdomain", problem, StringComparison.Ordinal);
        Assert.Contains("other", problem, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, unpublished.StatusCode);
    }
}
