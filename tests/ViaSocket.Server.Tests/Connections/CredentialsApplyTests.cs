using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using ViaSocket.Connections;
using ViaSocket.Server.Proxy;
using ViaSocket.Server.Tests.Infrastructure;
using ViaSocket.TestProvider;
using ViaSocket.Workspaces;

namespace ViaSocket.Server.Tests.Connections;

/// <summary>POST /v1/connections/{id}/credentials:apply over loopback, with a real connection to the test provider.</summary>
public sealed class CredentialsApplyTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private ConnectFlow Flow => fixture.Flow;

    private TestAuthorizationServer Provider => fixture.Provider;

    [Fact]
    public async Task Apply_merges_credential_query_headers_and_json_body_and_keeps_the_callers_own()
    {
        var connection = await ConnectAsync("apply-json");

        using var response = await ApplyAsync(connection.Id, new
        {
            method = "post",
            url = new Uri(Provider.ResourceUrl, "items?page=2&account=forged").ToString(),
            query = new { sort = "asc", account = "forged-too" },
            headers = new Dictionary<string, string>
            {
                ["authorization"] = "Bearer forged",
                ["X-Account"] = "forged",
                ["X-Trace"] = "t1",
                ["Connection"] = "close",
                ["Host"] = "evil.example",
            },
            body = new { name = "n", access_token = "forged" },
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("no-store", response.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
        var applied = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("POST", (string?)applied["method"]);
        var url = new Uri((string)applied["url"]!);
        Assert.Equal(new Uri(Provider.ResourceUrl, "items").AbsolutePath, url.AbsolutePath);
        var query = QueryHelpers.ParseQuery(url.Query);
        Assert.Equal("2", query["page"]);
        Assert.Equal("asc", query["sort"]);
        Assert.Equal(connection.AccountId, query["account"]);
        var headers = applied["headers"]!.AsObject().ToDictionary(h => h.Key, h => (string?)h.Value, StringComparer.OrdinalIgnoreCase);
        Assert.Equal(connection.Authorization, headers["Authorization"]);
        Assert.Equal(connection.AccountId, headers["X-Account"]);
        Assert.Equal("t1", headers["X-Trace"]);
        Assert.False(headers.ContainsKey("Connection") || headers.ContainsKey("Host"), "Hop-by-hop headers must be dropped.");
        Assert.Equal("json", (string?)applied["bodyType"]);
        Assert.Equal("n", (string?)applied["body"]!["name"]);
        Assert.Equal(connection.AccessToken, (string?)applied["body"]!["access_token"]);
    }

    [Fact]
    public async Task Form_bodies_get_the_credential_members_and_raw_bodies_stay_untouched()
    {
        var connection = await ConnectAsync("apply-bodies");
        var url = new Uri(Provider.ResourceUrl, "upload").ToString();

        using var form = await ApplyAsync(connection.Id, new { method = "PUT", url, bodyType = "form", body = new { field = "value" } });
        using var raw = await ApplyAsync(connection.Id, new { method = "PUT", url, bodyType = "raw", body = "plain text" });

        var formBody = JsonNode.Parse(await form.Content.ReadAsStringAsync())!;
        Assert.Equal("form", (string?)formBody["bodyType"]);
        Assert.Equal("value", (string?)formBody["body"]!["field"]);
        Assert.Equal(connection.AccessToken, (string?)formBody["body"]!["access_token"]);
        var rawBody = JsonNode.Parse(await raw.Content.ReadAsStringAsync())!;
        Assert.Equal("raw", (string?)rawBody["bodyType"]);
        Assert.Equal("plain text", (string?)rawBody["body"]);
        Assert.Equal(connection.Authorization, (string?)rawBody["headers"]!["Authorization"]);
    }

    [Fact]
    public async Task The_proxy_sends_exactly_the_request_that_apply_returns()
    {
        var connection = await ConnectAsync("apply-proxy");
        var request = new
        {
            method = "POST",
            url = new Uri(Provider.ResourceUrl, "echo?page=2&account=forged").ToString(),
            query = new { sort = "asc" },
            headers = new Dictionary<string, string> { ["X-Account"] = "forged", ["X-Trace"] = "t1" },
            body = new { name = "n" },
        };

        using var apply = await ApplyAsync(connection.Id, request);
        using var proxy = await Flow.Api.PostAsJsonAsync($"/v1/connections/{connection.Id}/proxy", request);

        var applied = JsonNode.Parse(await apply.Content.ReadAsStringAsync())!;
        var echo = JsonNode.Parse(await proxy.Content.ReadAsStringAsync())!["data"]!;
        var appliedQuery = QueryHelpers.ParseQuery(new Uri((string)applied["url"]!).Query);
        Assert.Equal(appliedQuery.Count, echo["query"]!.AsObject().Count);
        foreach (var (name, value) in appliedQuery)
        {
            Assert.Equal(value.ToString(), (string?)echo["query"]![name]);
        }

        Assert.Equal(connection.AccountId, (string?)echo["query"]!["account"]);
        Assert.Equal(connection.AccountId, (string?)echo["headers"]!["x-account"]);
        Assert.Equal("t1", (string?)echo["headers"]!["x-trace"]);
        Assert.True(JsonNode.DeepEquals(applied["body"], echo["body"]), $"apply {applied["body"]} vs sent {echo["body"]}");
    }

    [Fact]
    public async Task A_url_outside_allowed_urls_is_refused_and_no_credential_is_in_the_answer()
    {
        var connection = await ConnectAsync("apply-refused");
        var outside = new[]
        {
            Provider.AuthorizeUrl.ToString(),
            new Uri(Provider.BaseAddress, "/apix/items").ToString(),
            new Uri(Provider.BaseAddress, "/api/../authorize").ToString(),
            "https://attacker.example/api/items",
        };

        foreach (var url in outside)
        {
            using var response = await ApplyAsync(connection.Id, new { method = "GET", url });

            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{url}: {(int)response.StatusCode} {body}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
            Assert.Equal(CredentialRequestMerger.UrlNotAllowed, (string?)JsonNode.Parse(body)!["code"]);
            Assert.DoesNotContain(connection.AccessToken, body, StringComparison.Ordinal);
            Assert.Contains("no-store", response.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Invalid_methods_urls_and_bodies_are_422()
    {
        var connection = await ConnectAsync("apply-invalid");
        var allowed = new Uri(Provider.ResourceUrl, "items").ToString();
        object[] invalid =
        [
            new { method = "FETCH", url = allowed },
            new { method = "GET", url = "/api/items" },
            new { method = "GET", url = "ftp://127.0.0.1/api/items" },
            new { method = "POST", url = allowed, bodyType = "form", body = "not an object" },
            new { method = "POST", url = allowed, bodyType = "raw", body = new { not = "a string" } },
            new { method = "POST", url = allowed, bodyType = "xml" },
        ];

        foreach (var request in invalid)
        {
            using var response = await ApplyAsync(connection.Id, request);

            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, $"{request}: {(int)response.StatusCode} {body}");
            Assert.Equal(CredentialRequestMerger.InvalidRequest, (string?)JsonNode.Parse(body)!["code"]);
        }
    }

    [Fact]
    public async Task An_unknown_connection_is_404_and_a_disconnected_one_409()
    {
        var connection = await ConnectAsync("apply-revoked");
        var request = new { method = "GET", url = new Uri(Provider.ResourceUrl, "items").ToString() };
        using (var disconnect = await Flow.Api.DeleteAsync($"/v1/connections/{connection.Id}"))
        {
            Assert.Equal(HttpStatusCode.OK, disconnect.StatusCode);
        }

        using var unknown = await ApplyAsync("conn_does_not_exist", request);
        using var revoked = await ApplyAsync(connection.Id, request);

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(ConnectionErrorCodes.NotFound, (string?)JsonNode.Parse(await unknown.Content.ReadAsStringAsync())!["code"]);
        Assert.Equal(HttpStatusCode.Conflict, revoked.StatusCode);
        Assert.Equal(ConnectionErrorCodes.Revoked, (string?)JsonNode.Parse(await revoked.Content.ReadAsStringAsync())!["code"]);
    }

    [Fact]
    public async Task Only_a_credentials_read_key_of_the_connections_workspace_can_apply()
    {
        var connection = await ConnectAsync("apply-scope");
        var request = new { method = "GET", url = new Uri(Provider.ResourceUrl, "items").ToString() };
        using var created = await Flow.Api.PostAsJsonAsync("/v1/api-keys", new { scopes = new[] { "connections:read" } });
        using var readOnly = fixture.Host.CreateClient((string)JsonNode.Parse(await created.Content.ReadAsStringAsync())!["apiKey"]!);
        var other = ViaSocket.Server.Security.ApiKey.Generate();
        Assert.True(await fixture.Host.Grains.GetGrain<IApiKeyGrain>(other.KeyId)
            .CreateAsync(new ApiKeyRegistration("apply-workspace-b", other.SecretHash(), ApiKeyScopes.All, "test")));
        using var intruder = fixture.Host.CreateClient(other.Reveal());

        using var withoutScope = await readOnly.PostAsJsonAsync($"/v1/connections/{connection.Id}/credentials:apply", request);
        using var otherWorkspace = await intruder.PostAsJsonAsync($"/v1/connections/{connection.Id}/credentials:apply", request);

        Assert.Equal(HttpStatusCode.Forbidden, withoutScope.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, otherWorkspace.StatusCode);
        Assert.DoesNotContain(connection.AccessToken, await withoutScope.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(connection.AccessToken, await otherWorkspace.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private Task<HttpResponseMessage> ApplyAsync(string connectionId, object request) =>
        Flow.Api.PostAsJsonAsync($"/v1/connections/{connectionId}/credentials:apply", request);

    /// <summary>Publishes a version that appends a header, a query parameter and a body member, and connects to it.</summary>
    private async Task<Connected> ConnectAsync(string pluginId)
    {
        var definition = ProviderDefinitions.JavaScript(Provider);
        definition["append"] = new JsonObject
        {
            ["headers"] = new JsonObject
            {
                ["Authorization"] = "Bearer ${context.authData.accesstokencode.access_token}",
                ["X-Account"] = "${context.authData.testme.id}",
            },
            ["query"] = new JsonObject { ["account"] = "${context.authData.testme.id}" },
            ["body"] = new JsonObject { ["access_token"] = "${context.authData.accesstokencode.access_token}" },
        };
        await Flow.PublishAsync(pluginId, "v1", definition);
        var connectionId = (await Flow.ConnectAsync(pluginId, "v1", ownerId: pluginId + "-owner"))["connectionId"];
        var credentials = await Flow.GetJsonAsync($"/v1/connections/{connectionId}/credentials");
        var accessToken = (string)credentials["body"]!["access_token"]!;
        Assert.True(Provider.IsAccessTokenActive(accessToken));
        return new Connected(connectionId, accessToken, (string)credentials["headers"]!["Authorization"]!, (string)credentials["query"]!["account"]!);
    }

    private sealed record Connected(string Id, string AccessToken, string Authorization, string AccountId);
}

/// <summary>The merge rules on their own: no connection, no HTTP.</summary>
public sealed class CredentialsApplyMergerTests
{
    private static readonly ConnectionCredentials Credentials = new(
        ConnectionStatus.Active,
        new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Authorization"] = "Bearer secret-token" },
        new Dictionary<string, string> { ["api_key"] = "secret key" },
        """{"token":"secret-token"}""",
        ExpiresAt: null,
        AllowedUrls: ["https://api.example.com/v1"],
        RefreshOnStatus: [401],
        Generation: 1,
        RefreshOn: []);

    [Fact]
    public void A_credential_query_parameter_replaces_a_same_named_one_in_the_url_and_keeps_the_rest_and_the_fragment()
    {
        var request = Request("https://api.example.com/v1/items?API_KEY=upper&api_key=forged&a=1&api%5Fkey=encoded#top");

        var applied = CredentialRequestMerger.Merge(request, Credentials).Request!;

        Assert.Equal("https://api.example.com/v1/items?API_KEY=upper&a=1&api_key=secret%20key#top", applied.Url);
    }

    [Fact]
    public void A_json_body_is_created_for_credential_members_and_an_empty_form_has_no_body()
    {
        var noCredentialBody = Credentials with { BodyJson = "{}" };

        var json = CredentialRequestMerger.Merge(Request("https://api.example.com/v1"), Credentials).Request!;
        var form = CredentialRequestMerger.Merge(Request("https://api.example.com/v1") with { BodyType = "form" }, noCredentialBody).Request!;

        Assert.Equal("""{"token":"secret-token"}""", json.Body!.ToJsonString());
        Assert.Null(form.Body);
    }

    [Fact]
    public void Form_members_become_strings_and_credentials_win()
    {
        var request = Request("https://api.example.com/v1") with { BodyType = "form", Body = new JsonObject { ["n"] = 5, ["token"] = "forged" } };

        var applied = CredentialRequestMerger.Merge(request, Credentials).Request!;

        Assert.Equal("""{"n":"5","token":"secret-token"}""", applied.Body!.ToJsonString());
    }

    [Fact]
    public void The_printed_form_names_no_credential()
    {
        var applied = CredentialRequestMerger.Merge(Request("https://api.example.com/v1"), Credentials).Request!;

        Assert.DoesNotContain("secret", applied.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_url_on_another_host_or_outside_the_path_prefix_is_refused()
    {
        foreach (var url in new[] { "https://api.example.com/v10", "https://api.example.com.evil/v1", "http://api.example.com/v1", "https://user@api.example.com/v1" })
        {
            var result = CredentialRequestMerger.Merge(Request(url), Credentials);

            Assert.Null(result.Request);
            Assert.Equal(CredentialRequestMerger.UrlNotAllowed, result.Error?.Code);
        }
    }

    private static ProxyRequest Request(string url) => new("get", url, null, null, null, null);
}
