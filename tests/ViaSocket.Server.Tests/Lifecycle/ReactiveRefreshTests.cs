using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ViaSocket.Connections;
using ViaSocket.Server.Tests.Infrastructure;
using ViaSocket.TestProvider;

namespace ViaSocket.Server.Tests.Lifecycle;

/// <summary>
/// Providers that say "token expired" in ways a status list cannot catch: Slack answers 200 with
/// <c>{"ok":false,"error":"token_expired"}</c>, others 403 with an error code. A definition's <c>refreshOn</c> rules make
/// the proxy refresh and retry once; without them the answer is relayed as it came.
/// </summary>
public sealed class ReactiveRefreshTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private ConnectFlow Flow => fixture.Flow;

    [Fact]
    public async Task An_expiry_signalled_in_a_200_body_refreshes_and_retries_when_a_rule_names_it()
    {
        var rule = new JsonObject
        {
            ["status"] = new JsonArray(200),
            ["match"] = new JsonObject { ["ok"] = new JsonArray("false"), ["error"] = new JsonArray("token_expired", "invalid_auth") },
        };
        var (connectionId, token) = await ConnectAsync("slack-expiry", ExpiredTokenAnswer.OkWithErrorBody, rule);
        Assert.True(fixture.Provider.ExpireAccessToken(token));

        var answer = await ProxyAsync(connectionId);

        Assert.True((bool)answer["refreshed"]!);
        Assert.Equal(200, (int)answer["status"]!);
        Assert.Equal(TestUser.Alice.Id, (string?)answer["data"]!["user"]!["id"]);
        Assert.Equal(1, RefreshCalls("slack-expiry"));
        Assert.NotEqual(token, await Flow.AccessTokenAsync(connectionId));
    }

    [Fact]
    public async Task Without_a_rule_the_200_expiry_answer_is_relayed_and_nothing_is_refreshed()
    {
        var (connectionId, token) = await ConnectAsync("slack-expiry-no-rule", ExpiredTokenAnswer.OkWithErrorBody, rule: null);
        Assert.True(fixture.Provider.ExpireAccessToken(token));

        var answer = await ProxyAsync(connectionId);

        Assert.False((bool)answer["refreshed"]!);
        Assert.Equal("token_expired", (string?)answer["data"]!["error"]);
        Assert.Equal(0, RefreshCalls("slack-expiry-no-rule"));
    }

    [Fact]
    public async Task An_expiry_signalled_by_a_403_with_an_error_code_refreshes_and_retries()
    {
        var rule = new JsonObject
        {
            ["status"] = new JsonArray(403),
            ["match"] = new JsonObject { ["error.code"] = new JsonArray("TOKEN_EXPIRED") },
        };
        var (connectionId, token) = await ConnectAsync("forbidden-expiry", ExpiredTokenAnswer.ForbiddenWithErrorCode, rule);
        Assert.True(fixture.Provider.ExpireAccessToken(token));

        var answer = await ProxyAsync(connectionId);

        Assert.True((bool)answer["refreshed"]!);
        Assert.Equal(200, (int)answer["status"]!);
        Assert.Equal(1, RefreshCalls("forbidden-expiry"));
    }

    [Fact]
    public async Task A_403_whose_body_does_not_match_is_relayed_without_a_refresh()
    {
        // The rule names a code the provider does not send: a 403 for any other reason is no expiry.
        var rule = new JsonObject
        {
            ["status"] = new JsonArray(403),
            ["match"] = new JsonObject { ["error.code"] = new JsonArray("SESSION_ENDED") },
        };
        var (connectionId, token) = await ConnectAsync("forbidden-other", ExpiredTokenAnswer.ForbiddenWithErrorCode, rule);
        Assert.True(fixture.Provider.ExpireAccessToken(token));

        var answer = await ProxyAsync(connectionId);

        Assert.False((bool)answer["refreshed"]!);
        Assert.Equal(403, (int)answer["status"]!);
        Assert.Equal(0, RefreshCalls("forbidden-other"));
    }

    [Fact]
    public async Task An_on_demand_refresh_of_a_version_without_a_refresh_api_says_so()
    {
        fixture.Provider.RegisterClient(ProviderDefinitions.Client(fixture.Host.CallbackUrl, "no-refresh-api"));
        var definition = ProviderDefinitions.JavaScript(fixture.Provider, clientId: "no-refresh-api");
        definition.Remove("refreshToken");
        await Flow.PublishAsync("no-refresh-api", "v1", definition);
        var connectionId = (await Flow.ConnectAsync("no-refresh-api", "v1"))["connectionId"];

        using var refresh = await Flow.Api.PostAsync($"/v1/connections/{connectionId}/refresh", null);

        await Problem.AssertAsync(refresh, HttpStatusCode.Conflict, ConnectionErrorCodes.RefreshUnavailable);
        Assert.Equal("active", (string?)(await Flow.GetJsonAsync($"/v1/connections/{connectionId}"))["status"]);
    }

    private async Task<(string ConnectionId, string Token)> ConnectAsync(string clientId, ExpiredTokenAnswer answer, JsonObject? rule)
    {
        fixture.Provider.RegisterClient(ProviderDefinitions.Client(fixture.Host.CallbackUrl, clientId) with { ExpiredTokenAnswer = answer });
        var definition = ProviderDefinitions.JavaScript(fixture.Provider, clientId: clientId);
        if (rule is not null)
        {
            definition["refreshOn"] = new JsonArray(rule);
        }

        await Flow.PublishAsync(clientId, "v1", definition);
        var outcome = await Flow.ConnectAsync(clientId, "v1", ownerId: clientId);
        Assert.True(outcome["status"] == "success", string.Join(", ", outcome.Select(p => $"{p.Key}={p.Value}")));
        return (outcome["connectionId"], await Flow.AccessTokenAsync(outcome["connectionId"]));
    }

    private async Task<JsonNode> ProxyAsync(string connectionId)
    {
        using var proxy = await Flow.Api.PostAsJsonAsync($"/v1/connections/{connectionId}/proxy", new
        {
            method = "GET",
            url = new Uri(fixture.Provider.ResourceUrl, "items").ToString(),
        });
        var body = await proxy.Content.ReadAsStringAsync();
        Assert.True(proxy.StatusCode == HttpStatusCode.OK, body);
        return JsonNode.Parse(body)!;
    }

    private int RefreshCalls(string clientId) => fixture.Provider.RefreshGrantLog.Count(r => r.ClientId == clientId);
}
