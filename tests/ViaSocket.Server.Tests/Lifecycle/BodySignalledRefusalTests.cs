using System.Net;
using System.Text.Json.Nodes;
using ViaSocket.Connections;
using ViaSocket.Server.Tests.Infrastructure;

namespace ViaSocket.Server.Tests.Lifecycle;

/// <summary>
/// Providers that refuse a refresh with HTTP 200 and an error in the body (Reddit's JSON, GitHub's form body, Slack's
/// <c>ok:false</c>): the connection ends in reauth_required instead of staying degraded on a revoked token.
/// </summary>
public sealed class BodySignalledRefusalTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private ConnectFlow Flow => fixture.Flow;

    [Fact]
    public async Task A_json_invalid_grant_in_a_200_body_means_the_user_must_reconnect()
    {
        var connectionId = await ConnectAsync("reddit-like", ProviderDefinitions.JavaScript(fixture.Provider));
        fixture.Provider.RefuseNextTokenRequestsWithOk(1, "invalid_grant");

        using var refresh = await Flow.Api.PostAsync($"/v1/connections/{connectionId}/refresh", null);

        Assert.Equal(HttpStatusCode.Conflict, refresh.StatusCode);
        var view = await Flow.GetJsonAsync($"/v1/connections/{connectionId}");
        Assert.Equal("reauth_required", (string?)view["status"]);
        Assert.Contains(view["history"]!.AsArray(), entry => (string?)entry!["kind"] == "refresh_failed" && (string?)entry["detail"] == "block.provider_refused");
    }

    [Fact]
    public async Task A_declared_rule_reads_a_form_encoded_refusal_in_a_200_body()
    {
        var definition = ProviderDefinitions.JavaScript(fixture.Provider);
        definition["refreshToken"]!["outcomes"] = new JsonArray(new JsonObject
        {
            ["match"] = new JsonObject { ["error"] = new JsonArray("bad_refresh_token") },
            ["then"] = "permanent",
        });
        var connectionId = await ConnectAsync("github-like", definition);
        fixture.Provider.RefuseNextTokenRequestsWithOk(1, "bad_refresh_token", formBody: true);

        using var refresh = await Flow.Api.PostAsync($"/v1/connections/{connectionId}/refresh", null);

        Assert.Equal(HttpStatusCode.Conflict, refresh.StatusCode);
        Assert.Equal("reauth_required", (string?)(await Flow.GetJsonAsync($"/v1/connections/{connectionId}"))["status"]);
    }

    [Fact]
    public async Task A_declared_transient_rule_keeps_the_connection_and_the_next_refresh_succeeds()
    {
        var definition = ProviderDefinitions.JavaScript(fixture.Provider);
        definition["refreshToken"]!["outcomes"] = new JsonArray(new JsonObject
        {
            ["match"] = new JsonObject { ["error"] = new JsonArray("ratelimited") },
            ["then"] = "transient",
        });
        var connectionId = await ConnectAsync("slack-like", definition);
        fixture.Provider.RefuseNextTokenRequestsWithOk(1, "ratelimited");

        using var refused = await Flow.Api.PostAsync($"/v1/connections/{connectionId}/refresh", null);
        await Problem.AssertRetryLaterAsync(refused, ConnectionErrorCodes.RefreshFailed);
        var degraded = await Flow.GetJsonAsync($"/v1/connections/{connectionId}");
        using var retried = await Flow.Api.PostAsync($"/v1/connections/{connectionId}/refresh", null);

        Assert.NotEqual("reauth_required", (string?)degraded["status"]);
        Assert.Contains(degraded["history"]!.AsArray(), entry => (string?)entry!["detail"] == "block.provider_retry");
        Assert.True(retried.IsSuccessStatusCode, await retried.Content.ReadAsStringAsync());
        Assert.Equal("active", (string?)(await Flow.GetJsonAsync($"/v1/connections/{connectionId}"))["status"]);
    }

    [Fact]
    public async Task A_200_refresh_answer_without_a_token_is_a_failed_refresh_not_a_new_token()
    {
        var connectionId = await ConnectAsync("tokenless", ProviderDefinitions.JavaScript(fixture.Provider));
        var before = await Flow.AccessTokenAsync(connectionId);
        fixture.Provider.RefuseNextTokenRequestsWithOk(1, "something_unexpected");

        using var refresh = await Flow.Api.PostAsync($"/v1/connections/{connectionId}/refresh", null);

        await Problem.AssertRetryLaterAsync(refresh, ConnectionErrorCodes.RefreshFailed);
        var view = await Flow.GetJsonAsync($"/v1/connections/{connectionId}");
        Assert.Contains(view["history"]!.AsArray(), entry => (string?)entry!["kind"] == "refresh_failed" && (string?)entry["detail"] == "block.no_token");
        Assert.Null(view["lastRefreshedAt"]?.GetValue<string>());
        Assert.Equal(before, await Flow.AccessTokenAsync(connectionId));
    }

    private async Task<string> ConnectAsync(string pluginId, JsonObject definition)
    {
        await Flow.PublishAsync(pluginId, "v1", definition);
        var outcome = await Flow.ConnectAsync(pluginId, "v1");
        Assert.Equal("success", outcome["status"]);
        return outcome["connectionId"];
    }
}
