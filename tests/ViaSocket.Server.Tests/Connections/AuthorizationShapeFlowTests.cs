using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ViaSocket.Server.Tests.Infrastructure;
using ViaSocket.TestProvider;

namespace ViaSocket.Server.Tests.Connections;

/// <summary>
/// Authorize-request shapes and token-endpoint client authentication end to end, each against a test provider that
/// insists on that shape: connect → refresh → credentials and proxy → disconnect.
/// </summary>
public sealed class AuthorizationShapeFlowTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private ConnectFlow Flow => fixture.Flow;

    private TestAuthorizationServer Provider => fixture.Provider;

    /// <summary>Declarative blocks that leave client authentication to <c>clientAuthentication</c>.</summary>
    private JsonObject Definition(string clientId, string clientAuthentication, JsonObject? authorization = null)
    {
        var shape = new JsonObject
        {
            ["url"] = Provider.AuthorizeUrl.ToString(),
            ["clientId"] = clientId,
            ["clientSecret"] = ProviderDefinitions.ClientSecret,
            ["scopes"] = new JsonArray("read", "write"),
            ["issuer"] = Provider.Issuer,
            ["clientAuthentication"] = clientAuthentication,
        };
        foreach (var (name, value) in authorization ?? [])
        {
            shape[name] = value?.DeepClone();
        }

        return new JsonObject
        {
            ["authorization"] = shape,
            ["accessToken"] = Form(Provider.TokenUrl, new JsonObject
            {
                ["grant_type"] = "authorization_code",
                ["code"] = "${context.authData.code}",
                ["redirect_uri"] = "${context.redirectUri}",
                ["code_verifier"] = "${context.codeVerifier}",
            }),
            ["refreshToken"] = Form(Provider.TokenUrl, new JsonObject
            {
                ["grant_type"] = "refresh_token",
                ["refresh_token"] = "${context.authData.accesstokencode.refresh_token}",
            }),
            ["revokeToken"] = Form(Provider.RevokeUrl, new JsonObject
            {
                ["token"] = "${context.authData.accesstokencode.refresh_token}",
                ["token_type_hint"] = "refresh_token",
            }),
            ["testMe"] = new JsonObject
            {
                ["request"] = new JsonObject
                {
                    ["url"] = Provider.UserInfoUrl.ToString(),
                    ["headers"] = new JsonObject { ["Authorization"] = "Bearer ${context.authData.accesstokencode.access_token}" },
                },
            },
            ["connectionLabel"] = "${context.authData.testme.email}",
            ["allowedUrls"] = ProviderDefinitions.AllowedUrls(Provider),
            ["append"] = new JsonObject { ["headers"] = new JsonObject { ["Authorization"] = "Bearer ${context.authData.accesstokencode.access_token}" } },
        };
    }

    private static JsonObject Form(Uri url, JsonObject body) => new()
    {
        ["request"] = new JsonObject { ["method"] = "POST", ["url"] = url.ToString(), ["bodyType"] = "form", ["body"] = body },
    };

    private TestClient Client(string clientId) => ProviderDefinitions.Client(fixture.Host.CallbackUrl, clientId);

    private async Task<(string ConnectionId, Uri AuthorizeUrl)> StartAsync(string pluginId, object? optionalScopes = null)
    {
        using var response = await Flow.Api.PostAsJsonAsync("/v1/connections", new { pluginId, versionId = "v1", ownerId = "user-1", returnUrl = ConnectFlow.ReturnUrl, optionalScopes });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        var json = JsonNode.Parse(body)!;
        return ((string)json["connectionId"]!, new Uri((string)json["authorizeUrl"]!));
    }

    private async Task<string> ConnectAsync(Uri authorizeUrl)
    {
        using var callback = await Flow.CallbackAsync(await Flow.ConsentAsync(authorizeUrl));
        var outcome = ConnectFlow.ReturnQuery(callback);
        Assert.True(outcome["status"] == "success", string.Join(", ", outcome.Select(p => $"{p.Key}={p.Value}")));
        return outcome["connectionId"];
    }

    /// <summary>Refresh, credentials and proxy on the new token, then disconnect with the revoke accepted by the provider.</summary>
    private async Task UseAndDisconnectAsync(string connectionId)
    {
        var first = await Flow.AccessTokenAsync(connectionId);
        Assert.True(Provider.IsAccessTokenActive(first));
        using (var refresh = await Flow.Api.PostAsync($"/v1/connections/{connectionId}/refresh", null))
        {
            Assert.True(refresh.StatusCode == HttpStatusCode.OK, await refresh.Content.ReadAsStringAsync());
        }

        var second = await Flow.AccessTokenAsync(connectionId);
        Assert.NotEqual(first, second);
        Assert.True(Provider.IsAccessTokenActive(second));
        using (var proxy = await Flow.Api.PostAsJsonAsync($"/v1/connections/{connectionId}/proxy", new { method = "GET", url = new Uri(Provider.ResourceUrl, "me").ToString() }))
        {
            Assert.True(proxy.StatusCode == HttpStatusCode.OK, await proxy.Content.ReadAsStringAsync());
        }

        var revokesBefore = Provider.RevokeCalls;
        using var disconnect = await Flow.Api.DeleteAsync($"/v1/connections/{connectionId}");
        var view = JsonNode.Parse(await disconnect.Content.ReadAsStringAsync())!;
        Assert.Equal("revoked", (string?)view["status"]);
        Assert.Null(view["lastError"]);
        Assert.Equal(revokesBefore + 1, Provider.RevokeCalls);
        Assert.False(Provider.IsAccessTokenActive(second));
    }

    [Fact]
    public async Task A_plus_separated_provider_gets_a_raw_plus_and_the_connection_lives_its_whole_life()
    {
        Provider.RegisterClient(Client("shape-plus") with { ScopeSeparator = ScopeSeparator.Plus, AuthMethods = ClientAuthMethods.ClientSecretPost });
        await Flow.PublishAsync("shape-plus", "v1", Definition("shape-plus", "body", new JsonObject
        {
            ["scopeSeparator"] = "plus",
            ["scopes"] = new JsonArray("read", "write"),
        }));

        var (_, authorizeUrl) = await StartAsync("shape-plus");
        Assert.Contains("&scope=read+write&", authorizeUrl.AbsoluteUri, StringComparison.Ordinal);
        var connectionId = await ConnectAsync(authorizeUrl);

        var view = await Flow.GetJsonAsync($"/v1/connections/{connectionId}");
        Assert.Equal(["read", "write"], view["grantedScopes"]!.AsArray().Select(s => (string)s!));
        await UseAndDisconnectAsync(connectionId);
    }

    [Fact]
    public async Task A_provider_reading_app_id_and_redirect_url_without_response_type_connects()
    {
        Provider.RegisterClient(Client("shape-renamed") with
        {
            ParameterNames = new Dictionary<string, string> { ["client_id"] = "app_id", ["redirect_uri"] = "redirect_url" },
            ExpectsResponseType = false,
        });
        await Flow.PublishAsync("shape-renamed", "v1", Definition("shape-renamed", "basic", new JsonObject
        {
            ["parameterNames"] = new JsonObject { ["client_id"] = "app_id", ["redirect_uri"] = "redirect_url" },
            ["omitParameters"] = new JsonArray("response_type"),
        }));

        var (_, authorizeUrl) = await StartAsync("shape-renamed");
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(authorizeUrl.Query);
        Assert.Equal("shape-renamed", query["app_id"]);
        Assert.False(query.ContainsKey("client_id") || query.ContainsKey("redirect_uri") || query.ContainsKey("response_type"));
        await UseAndDisconnectAsync(await ConnectAsync(authorizeUrl));
    }

    [Theory]
    [InlineData("shape-basic", ClientAuthMethods.ClientSecretBasic, "basic")]
    [InlineData("shape-body", ClientAuthMethods.ClientSecretPost, "body")]
    [InlineData("shape-both", ClientAuthMethods.Both, "both")]
    public async Task Declarative_token_refresh_and_revoke_requests_authenticate_the_way_the_provider_accepts(string clientId, ClientAuthMethods methods, string mode)
    {
        Provider.RegisterClient(Client(clientId) with { AuthMethods = methods });
        await Flow.PublishAsync(clientId, "v1", Definition(clientId, mode, new JsonObject { ["pkceRequired"] = true }));

        var (_, authorizeUrl) = await StartAsync(clientId);

        await UseAndDisconnectAsync(await ConnectAsync(authorizeUrl));
    }

    [Fact]
    public async Task A_basic_only_provider_refuses_body_authentication_so_the_mode_is_what_made_it_work()
    {
        Provider.RegisterClient(Client("shape-basic-only") with { AuthMethods = ClientAuthMethods.ClientSecretBasic });
        await Flow.PublishAsync("shape-basic-only", "v1", Definition("shape-basic-only", "body"));
        var (connectionId, authorizeUrl) = await StartAsync("shape-basic-only");

        using var callback = await Flow.CallbackAsync(await Flow.ConsentAsync(authorizeUrl));

        Assert.Equal("connection.access_token_failed", ConnectFlow.ReturnQuery(callback)["error"]);
        var view = await Flow.GetJsonAsync($"/v1/connections/{connectionId}");
        Assert.DoesNotContain(ProviderDefinitions.ClientSecret, view.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain(ProviderDefinitions.ClientSecret, fixture.Host.Logs.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_subset_of_optional_scopes_is_requested_and_the_granted_scopes_are_stored_and_shown()
    {
        Provider.RegisterClient(Client("shape-optional") with { WithheldScopes = ["admin"] });
        await Flow.PublishAsync("shape-optional", "v1", Definition("shape-optional", "basic", new JsonObject
        {
            ["scopes"] = new JsonArray("read"),
            ["optionalScopes"] = new JsonArray("write", "admin", "billing"),
        }));

        var (_, authorizeUrl) = await StartAsync("shape-optional", new[] { "admin", "write" });
        Assert.Contains("&scope=read%20write%20admin&", authorizeUrl.AbsoluteUri, StringComparison.Ordinal);
        var connectionId = await ConnectAsync(authorizeUrl);

        // The user withheld admin: the token response says so, and that is what the connection shows.
        var view = await Flow.GetJsonAsync($"/v1/connections/{connectionId}");
        Assert.Equal(["read", "write"], view["grantedScopes"]!.AsArray().Select(s => (string)s!));
        await UseAndDisconnectAsync(connectionId);
    }

    [Fact]
    public async Task Without_a_scope_in_the_token_response_the_requested_scopes_are_the_granted_ones()
    {
        Provider.RegisterClient(Client("shape-silent") with { TokenResponseStyle = TokenResponseStyle.NoScope });
        await Flow.PublishAsync("shape-silent", "v1", Definition("shape-silent", "basic", new JsonObject
        {
            ["scopes"] = new JsonArray("read"),
            ["optionalScopes"] = new JsonArray("write", "admin"),
        }));

        var (_, authorizeUrl) = await StartAsync("shape-silent", new[] { "admin" });
        var connectionId = await ConnectAsync(authorizeUrl);

        var view = await Flow.GetJsonAsync($"/v1/connections/{connectionId}");
        Assert.Equal(["read", "admin"], view["grantedScopes"]!.AsArray().Select(s => (string)s!));

        // Engines read them in the connection's metadata too, next to no token material.
        var metadata = await Flow.GetJsonAsync($"/v1/connections/{connectionId}/metadata");
        Assert.Equal(["read", "admin"], metadata["grantedScopes"]!.AsArray().Select(s => (string)s!));
        Assert.DoesNotContain(await Flow.AccessTokenAsync(connectionId), metadata.ToJsonString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("shape-unknown-1", "delete_everything")]
    [InlineData("shape-unknown-2", "read")]
    [InlineData("shape-unknown-3", "write admin")]
    public async Task Asking_for_a_scope_the_version_does_not_offer_is_a_problem_and_creates_nothing(string pluginId, string scope)
    {
        Provider.RegisterClient(Client(pluginId));
        await Flow.PublishAsync(pluginId, "v1", Definition(pluginId, "basic", new JsonObject { ["optionalScopes"] = new JsonArray("admin") }));

        using var response = await Flow.Api.PostAsJsonAsync("/v1/connections", new
        {
            pluginId,
            versionId = "v1",
            ownerId = "user-unknown-scope",
            returnUrl = ConnectFlow.ReturnUrl,
            optionalScopes = new[] { scope },
        });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("connection.unknown_scope", (string?)problem["code"]);
        var list = await Flow.GetJsonAsync("/v1/connections?ownerId=user-unknown-scope&include=pending");
        Assert.Empty(list["items"]!.AsArray());
    }

    [Fact]
    public async Task A_test_run_of_the_revoke_block_authenticates_the_client_as_a_connection_would()
    {
        Provider.RegisterClient(Client("shape-test-run") with { AuthMethods = ClientAuthMethods.ClientSecretBasic });
        using (var put = await Flow.Api.PutAsJsonAsync("/v1/plugins/shape-test-run/auth-versions/v1", Definition("shape-test-run", "basic")))
        {
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        }

        using var run = await Flow.Api.PostAsJsonAsync("/v1/plugins/shape-test-run/auth-versions/v1/test-runs", new
        {
            block = "revokeToken",
            authData = new { accesstokencode = new { refresh_token = "not-a-token" } },
        });

        var body = await run.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, run.StatusCode);
        Assert.Null(JsonNode.Parse(body)!["failure"]);
        Assert.DoesNotContain(ProviderDefinitions.ClientSecret, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publishing_refuses_a_version_that_requires_pkce_but_never_sends_the_verifier()
    {
        var definition = Definition("shape-pkce", "basic", new JsonObject { ["pkceRequired"] = true });
        definition["accessToken"]!["request"]!["body"]!.AsObject().Remove("code_verifier");

        using var put = await Flow.Api.PutAsJsonAsync("/v1/plugins/shape-pkce/auth-versions/v1", definition);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, put.StatusCode);
        Assert.Contains("definition.pkce_verifier_not_sent", await put.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
