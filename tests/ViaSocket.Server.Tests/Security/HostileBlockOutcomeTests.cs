using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ViaSocket.Connections;
using ViaSocket.Server.Tests.Infrastructure;

namespace ViaSocket.Server.Tests.Security;

/// <summary>
/// Blocks whose result is nested too deep, holds an unpaired surrogate, or whose code reaches for <c>import()</c>, on
/// every path that runs a block: the OAuth callback (the user gets the error redirect or page with a code), a refresh
/// and a test run (problems and failures with codes), never a 500; and a provider answer the proxy relays.
/// </summary>
public sealed class HostileBlockOutcomeTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    /// <summary>Builds an object nested <c>n</c> levels deep in JavaScript.</summary>
    private const string Nest = "const nest = (n) => { let o = {}; for (let i = 1; i < n; i++) { o = { a: o }; } return o; };";

    private HttpClient Api => fixture.Flow.Api;

    public static TheoryData<string, string> HostileAccessTokenResults => new()
    {
        { "deep", "Object.assign(response.data, { profile: nest(40) })" },
        { "very deep", "Object.assign(response.data, { profile: nest(5000) })" },
        { "unpaired", "Object.assign(response.data, { name: '\\ud800' })" },
    };

    [Theory]
    [MemberData(nameof(HostileAccessTokenResults))]
    public async Task A_hostile_access_token_result_sends_the_user_back_with_an_error_code(string name, string result)
    {
        var pluginId = "hostile-callback-" + name.Replace(' ', '-');
        await PublishAsync(pluginId, definition => definition["accessToken"] = TokenExchange(result));

        var outcome = await fixture.Flow.ConnectAsync(pluginId, "v1", ownerId: pluginId);

        Assert.Equal("error", outcome["status"]);
        Assert.Equal("connection.access_token_failed", outcome["error"]);
    }

    [Fact]
    public async Task A_hostile_access_token_result_without_a_return_url_shows_the_error_page_with_its_code()
    {
        await PublishAsync("hostile-page", definition => definition["accessToken"] = TokenExchange("Object.assign(response.data, { profile: nest(40) })"));
        using var start = await Api.PostAsJsonAsync("/v1/connections", new { pluginId = "hostile-page", versionId = "v1", ownerId = "hostile-page" });
        var authorizeUrl = new Uri((string)JsonNode.Parse(await start.Content.ReadAsStringAsync())!["authorizeUrl"]!);

        using var page = await fixture.Flow.CallbackAsync(await fixture.Flow.ConsentAsync(authorizeUrl));

        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("connection.access_token_failed", html, StringComparison.Ordinal);
        Assert.Contains("result depth", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dynamic_import_in_a_label_template_sends_the_user_back_with_an_error_code()
    {
        await PublishAsync("hostile-import-label", definition => definition["connectionLabel"] = "${import('./steal.js')}");

        var outcome = await fixture.Flow.ConnectAsync("hostile-import-label", "v1", ownerId: "hostile-import-label");

        Assert.Equal("error", outcome["status"]);
        Assert.Equal("connection.template_failed", outcome["error"]);
        // Refused as syntax when the expression is prepared; without that, the engine's missing module loader also
        // ends as a template failure, but one that does not say why.
        var connection = await fixture.Flow.GetJsonAsync($"/v1/connections/{outcome["connectionId"]}");
        Assert.Equal("The expression threw SyntaxError.", (string?)connection["lastError"]!["message"]);
    }

    [Theory]
    [InlineData("deep", "nest(40)", "block.limit_exceeded")]
    [InlineData("unpaired", "{ access_token: '\\udc00' }", "block.invalid_result")]
    public async Task A_hostile_refresh_result_is_a_recorded_refresh_failure(string name, string result, string blockCode)
    {
        var pluginId = "hostile-refresh-" + name;
        var connectionId = await ConnectOwnClientAsync(pluginId, definition => definition["refreshToken"] = new JsonObject
        {
            ["code"] = $"{Nest}\nreturn {result};",
        });

        using var refresh = await Api.PostAsync($"/v1/connections/{connectionId}/refresh", null);

        // Nothing was refreshed, so the call says so; the stored token is still valid, so the connection is degraded,
        // with the block's failure recorded.
        await Problem.AssertRetryLaterAsync(refresh, ConnectionErrorCodes.RefreshFailed);
        var connection = await fixture.Flow.GetJsonAsync($"/v1/connections/{connectionId}");
        Assert.Equal("degraded", (string?)connection["status"]);
        Assert.Equal("connection.refresh_failed", (string?)connection["lastError"]!["code"]);
        Assert.Contains(connection["history"]!.AsArray(), e => (string?)e!["kind"] == "refresh_failed" && (string?)e["detail"] == blockCode);
    }

    [Theory]
    [InlineData("return nest(33);", "block.limit_exceeded")]
    [InlineData("return [nest(5000)];", "block.limit_exceeded")]
    [InlineData("return { name: 'x\\ud800' };", "block.invalid_result")]
    [InlineData("console.log('\\ud800'); return { ['\\udc00']: 1 };", "block.invalid_result")]
    public async Task A_test_run_of_a_hostile_result_reports_the_block_failure(string code, string failureCode)
    {
        var definition = ProviderDefinitions.JavaScript(fixture.Provider);
        definition["testMe"] = new JsonObject { ["code"] = Nest + "\n" + code };
        await PutDraftAsync("hostile-test-run", definition);

        using var response = await Api.PostAsJsonAsync("/v1/plugins/hostile-test-run/auth-versions/v1/test-runs", new { block = "testMe", authData = new JsonObject() });

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var run = JsonNode.Parse(body)!;
        Assert.Null(run["result"]);
        Assert.Equal(failureCode, (string?)run["failure"]!["code"]);
    }

    [Fact]
    public async Task A_test_run_with_sample_data_nested_too_deep_is_refused()
    {
        await PutDraftAsync("hostile-sample", ProviderDefinitions.JavaScript(fixture.Provider));
        JsonNode deep = new JsonObject();
        for (var i = 1; i < 60; i++)
        {
            deep = new JsonObject { ["a"] = deep };
        }

        using var authData = await Api.PostAsJsonAsync("/v1/plugins/hostile-sample/auth-versions/v1/test-runs", new { block = "testMe", authData = new JsonObject { ["x"] = deep } });
        using var inputData = await Api.PostAsJsonAsync("/v1/plugins/hostile-sample/auth-versions/v1/test-runs", new { block = "testMe", authData = new JsonObject(), inputData = deep.DeepClone() });

        await Problem.AssertAsync(authData, HttpStatusCode.UnprocessableEntity, "test_run.invalid_sample");
        await Problem.AssertAsync(inputData, HttpStatusCode.UnprocessableEntity, "test_run.invalid_sample");
    }

    [Fact]
    public async Task A_draft_with_dynamic_import_in_block_code_is_refused_at_its_pointer()
    {
        var definition = ProviderDefinitions.JavaScript(fixture.Provider);
        definition["refreshToken"] = new JsonObject { ["code"] = "const { steal } = await import('./steal.js');\nreturn steal(context);" };

        using var response = await Api.PutAsJsonAsync("/v1/plugins/hostile-import/auth-versions/v1", definition);

        var problem = await Problem.AssertAsync(response, HttpStatusCode.UnprocessableEntity, "auth_version.invalid");
        var error = Assert.Single(problem["errors"]!.AsArray());
        Assert.Equal("/refreshToken/code", (string?)error!["pointer"]);
        Assert.Equal("definition.dynamic_import", (string?)error["code"]);
    }

    [Theory]
    [InlineData(40, false)]
    [InlineData(63, true)]
    public async Task A_proxied_response_too_deep_to_answer_with_is_relayed_as_text(int depth, bool asText)
    {
        var connectionId = await ConnectOwnClientAsync("hostile-proxy-" + depth, _ => { });
        JsonNode deep = new JsonObject();
        for (var i = 1; i < depth; i++)
        {
            deep = new JsonObject { ["a"] = deep };
        }

        // The provider echoes the body one level down, inside its answer.
        using var proxy = await Api.PostAsJsonAsync($"/v1/connections/{connectionId}/proxy", new
        {
            method = "POST",
            url = new Uri(fixture.Provider.ResourceUrl, "echo").ToString(),
            body = deep,
        });

        var text = await proxy.Content.ReadAsStringAsync();
        Assert.True(proxy.StatusCode == HttpStatusCode.OK, text);
        var data = JsonNode.Parse(text)!["data"]!;
        Assert.Equal(asText, data.GetValueKind() == System.Text.Json.JsonValueKind.String);
        Assert.Contains("alice@example.com", data.ToJsonString(), StringComparison.Ordinal);
    }

    /// <summary>The token exchange of the JavaScript test definition, returning <paramref name="result"/> built from its <c>response</c>.</summary>
    private JsonObject TokenExchange(string result) => new()
    {
        ["code"] = $$"""
            {{Nest}}
            const body = new URLSearchParams({
              grant_type: 'authorization_code',
              code: context.authData.code,
              redirect_uri: context.redirectUri,
              code_verifier: context.codeVerifier,
            });
            const response = await axios.post('{{fixture.Provider.TokenUrl}}', body, {
              auth: { username: context.clientId, password: context.clientSecret },
            });
            return {{result}};
            """,
    };

    /// <summary>Registers a provider client named <paramref name="pluginId"/> and publishes v1 of the plugin for it, changed by <paramref name="change"/>.</summary>
    private async Task PublishAsync(string pluginId, Action<JsonObject> change)
    {
        fixture.Provider.RegisterClient(ProviderDefinitions.Client(fixture.Host.CallbackUrl, pluginId));
        var definition = ProviderDefinitions.JavaScript(fixture.Provider, clientId: pluginId);
        change(definition);
        await fixture.Flow.PublishAsync(pluginId, "v1", definition);
    }

    private async Task<string> ConnectOwnClientAsync(string pluginId, Action<JsonObject> change)
    {
        await PublishAsync(pluginId, change);
        var outcome = await fixture.Flow.ConnectAsync(pluginId, "v1", ownerId: pluginId);
        Assert.True(outcome["status"] == "success", string.Join(", ", outcome.Select(p => $"{p.Key}={p.Value}")));
        return outcome["connectionId"];
    }

    private async Task PutDraftAsync(string pluginId, JsonObject definition)
    {
        using var put = await Api.PutAsJsonAsync($"/v1/plugins/{pluginId}/auth-versions/v1", definition);
        Assert.True(put.StatusCode == HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
    }
}

/// <summary>A hostile refresh result once the stored token has expired, when the refresh endpoint has no token to fall back on.</summary>
public sealed class HostileRefreshAfterExpiryTests(FakeClockServiceFixture fixture) : IClassFixture<FakeClockServiceFixture>
{
    [Fact]
    public async Task A_refresh_returning_a_result_nested_too_deep_is_a_refresh_failed_problem()
    {
        fixture.Provider.RegisterClient(ProviderDefinitions.Client(fixture.Host.CallbackUrl, "hostile-expired"));
        var definition = ProviderDefinitions.JavaScript(fixture.Provider, clientId: "hostile-expired");
        definition["refreshToken"] = new JsonObject { ["code"] = "let o = {}; for (let i = 0; i < 5000; i++) { o = { a: o }; } return o;" };
        await fixture.Flow.PublishAsync("hostile-expired", "v1", definition);
        var outcome = await fixture.Flow.ConnectAsync("hostile-expired", "v1", ownerId: "hostile-expired");
        Assert.Equal("success", outcome["status"]);
        fixture.Time.Advance(TimeSpan.FromMinutes(61));

        using var refresh = await fixture.Flow.Api.PostAsync($"/v1/connections/{outcome["connectionId"]}/refresh", null);
        using var credentials = await fixture.Flow.Api.GetAsync($"/v1/connections/{outcome["connectionId"]}/credentials");

        // The token has expired and the refresh keeps failing: both answers say so, and when to try again.
        await Problem.AssertRetryLaterAsync(refresh, ConnectionErrorCodes.RefreshFailed);
        var problem = JsonNode.Parse(await refresh.Content.ReadAsStringAsync())!;
        Assert.Contains("result depth", (string?)problem["detail"], StringComparison.Ordinal);
        await Problem.AssertRetryLaterAsync(credentials, ConnectionErrorCodes.RefreshFailed);
    }
}
