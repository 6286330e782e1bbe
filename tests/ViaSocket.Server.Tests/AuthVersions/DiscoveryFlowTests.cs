using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ViaSocket.Server.Tests.Infrastructure;
using ViaSocket.TestProvider;

namespace ViaSocket.Server.Tests.AuthVersions;

/// <summary>
/// A definition from an issuer URL, against the test provider's real metadata over loopback: discover, review,
/// publish (which re-checks the metadata) and connect; and the hostile documents and addresses discovery refuses.
/// </summary>
public sealed class DiscoveryFlowTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>, IDisposable
{
    private ConnectFlow Flow => fixture.Flow;

    private TestAuthorizationServer Provider => fixture.Provider;

    public void Dispose() => Provider.EditMetadata = null;

    private async Task<JsonNode> DiscoverAsync(string pluginId, string issuer, HttpStatusCode expected = HttpStatusCode.OK)
    {
        Provider.RegisterClient(ProviderDefinitions.Client(fixture.Host.CallbackUrl, pluginId));
        using var response = await Flow.Api.PostAsJsonAsync($"/v1/plugins/{pluginId}/auth-versions/v1/discover",
            new { issuer, clientId = pluginId, clientSecret = ProviderDefinitions.ClientSecret, scopes = new[] { "read", "write" } });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, body);
        Assert.DoesNotContain(ProviderDefinitions.ClientSecret, body, StringComparison.Ordinal);
        return JsonNode.Parse(body)!;
    }

    private async Task<JsonNode> PublishAsync(string pluginId)
    {
        using var publish = await Flow.Api.PostAsync($"/v1/plugins/{pluginId}/auth-versions/v1/publish", null);
        var body = await publish.Content.ReadAsStringAsync();
        Assert.True(publish.IsSuccessStatusCode, body);
        return JsonNode.Parse(body)!;
    }

    [Fact]
    public async Task A_draft_from_the_issuer_publishes_connects_refreshes_and_revokes()
    {
        var discovered = await DiscoverAsync("disc-flow", Provider.Issuer);

        var metadata = discovered["metadata"]!;
        Assert.Equal(MetadataEndpoint.ScopesSupported, metadata["scopesSupported"]!.AsArray().Select(s => (string?)s));
        Assert.True((bool)metadata["authorizationResponseIssParameterSupported"]!);
        var draft = discovered["draft"]!;
        Assert.Equal("draft", (string?)draft["status"]);
        Assert.True((bool)draft["clientSecretSet"]!);
        var authorization = draft["definition"]!["authorization"]!;
        Assert.Equal(Provider.AuthorizeUrl.ToString(), (string?)authorization["url"]);
        Assert.Equal(Provider.Issuer, (string?)authorization["issuer"]);
        Assert.Equal("S256", (string?)authorization["pkce"]);
        Assert.Equal("basic", (string?)authorization["clientAuthentication"]);
        Assert.True((bool)authorization["requireIssuerParameter"]!);
        Assert.Equal(Provider.Issuer + "/.well-known/jwks.json", (string?)authorization["jwksUrl"]);
        Assert.Equal(Provider.TokenUrl.ToString(), (string?)draft["definition"]!["accessToken"]!["request"]!["url"]);

        var published = await PublishAsync("disc-flow");
        var check = published["metadataCheck"]!;
        Assert.Null(check["errorCode"]);
        Assert.Empty(check["differences"]!.AsArray());

        var outcome = await Flow.ConnectAsync("disc-flow", "v1", ownerId: "disc-owner");
        Assert.True(outcome["status"] == "success", string.Join(", ", outcome.Select(p => $"{p.Key}={p.Value}")));
        var connectionId = outcome["connectionId"];
        var connection = await Flow.GetJsonAsync($"/v1/connections/{connectionId}");
        Assert.Equal("alice@example.com", (string?)connection["label"]);
        var token = await Flow.AccessTokenAsync(connectionId);
        Assert.True(Provider.IsAccessTokenActive(token));

        var refreshes = Provider.RefreshGrants;
        using (var refresh = await Flow.Api.PostAsync($"/v1/connections/{connectionId}/refresh", null))
        {
            Assert.True(refresh.IsSuccessStatusCode, await refresh.Content.ReadAsStringAsync());
        }

        Assert.Equal(refreshes + 1, Provider.RefreshGrants);
        var refreshed = await Flow.AccessTokenAsync(connectionId);
        Assert.NotEqual(token, refreshed);

        var revokes = Provider.RevokeCalls;
        using (var disconnect = await Flow.Api.DeleteAsync($"/v1/connections/{connectionId}"))
        {
            var body = await disconnect.Content.ReadAsStringAsync();
            Assert.True(disconnect.IsSuccessStatusCode, body);
            Assert.Null(JsonNode.Parse(body)!["lastError"]);
        }

        Assert.Equal(revokes + 1, Provider.RevokeCalls);
        Assert.False(Provider.IsAccessTokenActive(refreshed));
    }

    [Fact]
    public async Task The_openid_configuration_is_used_when_the_rfc_8414_document_is_missing()
    {
        Provider.EditMetadata = (_, path) => path == MetadataEndpoint.OpenIdPath;

        var discovered = await DiscoverAsync("disc-oidc", Provider.Issuer);

        Assert.Equal(Provider.UserInfoUrl.ToString(), (string?)discovered["draft"]!["definition"]!["testMe"]!["request"]!["url"]);
    }

    [Fact]
    public async Task No_document_at_either_location_is_reported()
    {
        Provider.EditMetadata = (_, _) => false;

        var problem = await Problem.AssertAsync(await PostDiscoverAsync("disc-none", Provider.Issuer), HttpStatusCode.BadGateway, "discovery.not_found");

        Assert.Contains("404", (string?)problem["detail"], StringComparison.Ordinal);
        await AssertNoDraftAsync("disc-none");
    }

    [Fact]
    public async Task A_document_naming_another_issuer_is_refused_and_saves_nothing()
    {
        Provider.EditMetadata = (document, _) =>
        {
            document["issuer"] = "https://attacker.example.net";
            return true;
        };

        await Problem.AssertAsync(await PostDiscoverAsync("disc-mixup", Provider.Issuer), HttpStatusCode.BadGateway, "discovery.issuer_mismatch");
        await AssertNoDraftAsync("disc-mixup");
    }

    [Fact]
    public async Task A_document_with_a_plain_http_endpoint_is_refused()
    {
        Provider.EditMetadata = (document, _) =>
        {
            document["token_endpoint"] = "http://tokens.example.net/token";
            return true;
        };

        await Problem.AssertAsync(await PostDiscoverAsync("disc-http", Provider.Issuer), HttpStatusCode.BadGateway, "discovery.insecure_endpoint");
    }

    [Fact]
    public async Task An_oversized_document_is_refused()
    {
        Provider.EditMetadata = (document, _) =>
        {
            document["x-padding"] = new string('a', 100 * 1024);
            return true;
        };

        await Problem.AssertAsync(await PostDiscoverAsync("disc-big", Provider.Issuer), HttpStatusCode.BadGateway, "discovery.invalid_document");
    }

    [Fact]
    public async Task A_request_that_is_not_json_or_lacks_a_client_id_is_a_problem_with_a_code()
    {
        using var content = new StringContent("{\"issuer\": ", System.Text.Encoding.UTF8, "application/json");
        using var malformed = await Flow.Api.PostAsync("/v1/plugins/disc-req/auth-versions/v1/discover", content);
        await Problem.AssertAsync(malformed, HttpStatusCode.BadRequest, "request.invalid");

        using var noClient = await Flow.Api.PostAsJsonAsync("/v1/plugins/disc-req/auth-versions/v1/discover", new { issuer = Provider.Issuer });
        var problem = await Problem.AssertAsync(noClient, HttpStatusCode.UnprocessableEntity, "auth_version.invalid");
        Assert.Contains(problem["errors"]!.AsArray(), e => (string?)e!["pointer"] == "/authorization/clientId");
    }

    [Theory]
    [InlineData("https://10.20.30.40/tenant")]
    [InlineData("https://169.254.169.254")]
    public async Task An_issuer_on_a_private_or_link_local_address_is_refused_by_the_outbound_guard(string issuer)
    {
        await Problem.AssertAsync(await PostDiscoverAsync("disc-ssrf", issuer), HttpStatusCode.UnprocessableEntity, "discovery.address_refused");
        await AssertNoDraftAsync("disc-ssrf");
    }

    [Theory]
    [InlineData("http://login.example.com")]
    [InlineData("https://login.example.com/?tenant=a")]
    [InlineData("not a url")]
    public async Task An_issuer_that_is_not_a_plain_https_url_is_refused(string issuer) =>
        await Problem.AssertAsync(await PostDiscoverAsync("disc-bad", issuer), HttpStatusCode.UnprocessableEntity, "discovery.invalid_issuer");

    [Fact]
    public async Task Publishing_reports_an_endpoint_changed_since_the_draft()
    {
        await DiscoverAsync("disc-drift", Provider.Issuer);
        Provider.EditMetadata = (document, _) =>
        {
            document["token_endpoint"] = Provider.Issuer + "/oauth2/v2/token";
            document["code_challenge_methods_supported"] = new JsonArray("plain");
            return true;
        };

        var check = (await PublishAsync("disc-drift"))["metadataCheck"]!;

        var codes = check["differences"]!.AsArray().Select(d => (string?)d!["code"]).ToList();
        Assert.Contains("token_endpoint_changed", codes);
        Assert.Contains("pkce_not_offered", codes);
        Assert.Contains(check["differences"]!.AsArray(), d => ((string?)d!["message"])!.Contains("/oauth2/v2/token", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Publishing_goes_ahead_when_the_metadata_cannot_be_fetched_and_says_so()
    {
        await DiscoverAsync("disc-gone", Provider.Issuer);
        Provider.EditMetadata = (_, _) => false;

        var published = await PublishAsync("disc-gone");

        Assert.Equal("published", (string?)published["status"]);
        Assert.Equal("discovery.not_found", (string?)published["metadataCheck"]!["errorCode"]);
    }

    private Task<HttpResponseMessage> PostDiscoverAsync(string pluginId, string issuer) =>
        Flow.Api.PostAsJsonAsync($"/v1/plugins/{pluginId}/auth-versions/v1/discover", new { issuer, clientId = pluginId });

    private async Task AssertNoDraftAsync(string pluginId)
    {
        using var response = await Flow.Api.GetAsync($"/v1/plugins/{pluginId}/auth-versions/v1");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
