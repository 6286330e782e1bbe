using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ViaSocket.Server.Tests.Infrastructure;

namespace ViaSocket.Server.Tests.AuthVersions;

/// <summary>
/// The write-only client secret never comes back over HTTP: not from test runs whose code prints, returns, sends or
/// throws it in any common spelling, not from drafts, not from the errors of a connection whose blocks failed with it.
/// </summary>
public sealed class ClientSecretExposureTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    /// <summary>A secret whose spellings all differ: reserved characters, a space, a quote, a backslash, non-ASCII.</summary>
    private const string Secret = "s3c/r+t ü\"q\\&=~*'9f2";

    private HttpClient Api => fixture.Flow.Api;

    /// <summary>Every spelling of <see cref="Secret"/> a block could produce, as it would appear in a JSON answer.</summary>
    private static IEnumerable<string> Spellings()
    {
        var utf8 = Encoding.UTF8.GetBytes(Secret);
        string[] spellings =
        [
            Secret,
            Uri.EscapeDataString(Secret),
            WebUtility.UrlEncode(Secret),
            Convert.ToHexStringLower(utf8),
            Convert.ToBase64String(utf8),
            Convert.ToBase64String(utf8).TrimEnd('=').Replace('+', '-').Replace('/', '_'),
            Convert.ToBase64String(Encoding.UTF8.GetBytes(ProviderDefinitions.ClientId + ":" + Secret)),
        ];

        // As they appear inside a JSON document (and inside JSON text inside one).
        return spellings.SelectMany(s => new[] { s, JsonSerializer.Serialize(s)[1..^1], JsonSerializer.Serialize(JsonSerializer.Serialize(s))[1..^1] }).Distinct();
    }

    [Fact]
    public async Task A_test_run_that_prints_returns_and_sends_the_secret_shows_none_of_its_spellings()
    {
        var definition = WithSecret(ProviderDefinitions.JavaScript(fixture.Provider));
        definition["testMe"] = new JsonObject
        {
            ["code"] = $$"""
                const s = context.clientSecret;
                const basic = btoa(unescape(encodeURIComponent(context.clientId + ':' + s)));
                console.log('raw', s);
                console.log('uri', encodeURIComponent(s), new URLSearchParams({ s }).toString());
                console.log('json', JSON.stringify({ s }), { nested: { s } });
                console.log('base64', Buffer.from(s).toString('base64'), Buffer.from(s).toString('base64url'), 'Basic ' + basic);
                console.log('hex', Buffer.from(s).toString('hex'));
                try {
                  // In the path as hex: an encoded '/' in a path is refused by the allowed-URL check before sending.
                  await axios.get('{{fixture.Provider.ResourceUrl}}' + Buffer.from(s).toString('hex') + '/x', { params: { client_secret: s }, auth: { username: context.clientId, password: s } });
                } catch (error) {
                  console.warn('request failed', error.message);
                }
                return { raw: s, [s]: 'as a member name', uri: encodeURIComponent(s), basic: 'Basic ' + basic, text: JSON.stringify({ s }) };
                """,
        };
        await PutDraftAsync("secret-run", definition);

        var run = await TestRunAsync("secret-run");

        var answer = run.ToJsonString();
        AssertNoSpelling(answer);
        Assert.Equal("[client secret]", (string?)run["result"]!["raw"]);
        Assert.Equal("as a member name", (string?)run["result"]!["[client secret]"]);
        Assert.Equal(6, run["console"]!.AsArray().Count);
        Assert.All(run["console"]!.AsArray().Take(5), line => Assert.Contains("[client secret]", (string?)line!["message"], StringComparison.Ordinal));
        Assert.Contains("[client secret]", (string?)run["http"]![0]!["url"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_test_run_that_throws_the_secret_or_fails_with_it_in_the_response_shows_none_of_its_spellings()
    {
        var definition = WithSecret(ProviderDefinitions.JavaScript(fixture.Provider));
        definition["testMe"] = new JsonObject { ["code"] = "throw new Error('the secret is ' + context.clientSecret);" };
        definition["refreshToken"] = new JsonObject
        {
            ["code"] = """
                const error = new Error('Request failed with status code 400');
                error.isAxiosError = true;
                error.response = { status: 400, headers: {}, data: { error: 'invalid_client', echoed: context.clientSecret, basic: Buffer.from(context.clientId + ':' + context.clientSecret).toString('base64') } };
                throw error;
                """,
        };
        await PutDraftAsync("secret-throw", definition);

        var thrown = await TestRunAsync("secret-throw");
        var failed = await TestRunAsync("secret-throw", "refreshToken");

        AssertNoSpelling(thrown.ToJsonString());
        AssertNoSpelling(failed.ToJsonString());
        Assert.Equal("Error: the secret is [client secret] (line 1)", (string?)thrown["failure"]!["message"]);
        Assert.Equal("[client secret]", (string?)failed["failure"]!["responseData"]!["echoed"]);
    }

    [Fact]
    public async Task A_draft_never_shows_the_secret_and_refuses_it_written_outside_client_secret()
    {
        var definition = WithSecret(ProviderDefinitions.JavaScript(fixture.Provider));
        var pasted = definition.DeepClone().AsObject();
        pasted["append"]!["headers"]!["X-App"] = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(ProviderDefinitions.ClientId + ":" + Secret));
        pasted["testMe"] = new JsonObject { ["code"] = $"return {JsonSerializer.Serialize(Secret)};" };

        using var refused = await Api.PutAsJsonAsync("/v1/plugins/secret-draft/auth-versions/v1", pasted);
        using var put = await Api.PutAsJsonAsync("/v1/plugins/secret-draft/auth-versions/v1", definition);
        var draft = await fixture.Flow.GetJsonAsync("/v1/plugins/secret-draft/auth-versions/v1");
        var list = await fixture.Flow.GetJsonAsync("/v1/plugins/secret-draft/auth-versions");

        var problem = await Problem.AssertAsync(refused, HttpStatusCode.UnprocessableEntity, "auth_version.invalid");
        Assert.Equal(
            ["/append/headers/X-App", "/testMe/code"],
            problem["errors"]!.AsArray().Where(e => (string?)e!["code"] == "definition.client_secret_exposed").Select(e => (string?)e!["pointer"]).Order(StringComparer.Ordinal));
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        foreach (var answer in new[] { problem.ToJsonString(), await put.Content.ReadAsStringAsync(), draft.ToJsonString(), list.ToJsonString() })
        {
            AssertNoSpelling(answer);
        }

        Assert.True((bool)draft["clientSecretSet"]!);
    }

    [Fact]
    public async Task A_connection_whose_block_throws_the_secret_keeps_it_out_of_its_error_and_the_callback_page()
    {
        fixture.Provider.RegisterClient(ProviderDefinitions.Client(fixture.Host.CallbackUrl, "secret-error"));
        var definition = ProviderDefinitions.JavaScript(fixture.Provider, clientId: "secret-error");
        definition["testMe"] = new JsonObject { ["code"] = "throw new Error('probe ' + context.clientSecret + ' ' + btoa(context.clientSecret));" };
        await fixture.Flow.PublishAsync("secret-error", "v1", definition);

        using var start = await Api.PostAsJsonAsync("/v1/connections", new { pluginId = "secret-error", versionId = "v1", ownerId = "user-1" });
        var started = JsonNode.Parse(await start.Content.ReadAsStringAsync())!;
        using var page = await fixture.Flow.CallbackAsync(await fixture.Flow.ConsentAsync(new Uri((string)started["authorizeUrl"]!)));
        var html = await page.Content.ReadAsStringAsync();
        var connection = await fixture.Flow.GetJsonAsync($"/v1/connections/{(string)started["connectionId"]!}");

        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        Assert.Contains("connection.test_me_failed", html, StringComparison.Ordinal);
        Assert.Contains("[client secret]", html, StringComparison.Ordinal);
        Assert.DoesNotContain(ProviderDefinitions.ClientSecret, html, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(ProviderDefinitions.ClientSecret)), html, StringComparison.Ordinal);
        Assert.DoesNotContain(ProviderDefinitions.ClientSecret, connection.ToJsonString(), StringComparison.Ordinal);
    }

    private static JsonObject WithSecret(JsonObject definition)
    {
        definition["authorization"]!["clientSecret"] = Secret;
        return definition;
    }

    private async Task PutDraftAsync(string pluginId, JsonObject definition)
    {
        using var put = await Api.PutAsJsonAsync($"/v1/plugins/{pluginId}/auth-versions/v1", definition);
        Assert.True(put.StatusCode == HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
    }

    private async Task<JsonNode> TestRunAsync(string pluginId, string block = "testMe")
    {
        var sample = new JsonObject { ["accesstokencode"] = new JsonObject { ["access_token"] = "sample", ["refresh_token"] = "sample" } };
        using var response = await Api.PostAsJsonAsync($"/v1/plugins/{pluginId}/auth-versions/v1/test-runs", new { block, authData = sample });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonNode.Parse(body)!;
    }

    private static void AssertNoSpelling(string answer)
    {
        foreach (var spelling in Spellings())
        {
            Assert.False(answer.Contains(spelling, StringComparison.Ordinal), $"'{spelling}' appears in: {answer}");
        }
    }
}
