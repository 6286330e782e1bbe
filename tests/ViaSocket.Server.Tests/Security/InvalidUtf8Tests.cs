using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ViaSocket.Server.Tests.Infrastructure;

namespace ViaSocket.Server.Tests.Security;

/// <summary>
/// JSON bodies that are not valid UTF-8 are refused with 400 <c>request.invalid_utf8</c> by every endpoint that takes
/// one, wherever the bad bytes sit (a mapped value, a member the model ignores, a member name, the end), and nothing
/// is stored; well-formed non-ASCII text still goes through.
/// </summary>
public sealed class InvalidUtf8Tests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    public static TheoryData<string, string> Endpoints => new()
    {
        { "PUT", "/v1/plugins/utf8/auth-versions/v1" },
        { "POST", "/v1/plugins/utf8/auth-versions/v1/test-runs" },
        { "POST", "/v1/connections" },
        { "POST", "/v1/connections/conn_utf8/proxy" },
        { "POST", "/v1/connections/conn_utf8/credentials:apply" },
        { "POST", "/v1/webhooks" },
        { "POST", "/v1/api-keys" },
        { "PUT", "/v1/workspace/settings" },
    };

    /// <summary>A truncated two-byte sequence, a lone continuation byte, an overlong '/', a UTF-16 surrogate encoded as UTF-8, and 0xFF.</summary>
    public static TheoryData<string> BadSequences => new() { "C3 28", "80", "C0 AF", "ED A0 80", "FF" };

    private HttpClient Api => fixture.Flow.Api;

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Every_json_endpoint_refuses_invalid_utf8_in_a_value(string method, string path)
    {
        using var response = await SendAsync(method, path, Json("{\"pluginId\":\"a", "C3 28", "\",\"url\":\"https://hooks.example.com/x\",\"block\":\"testMe\"}"));

        await Problem.AssertAsync(response, HttpStatusCode.BadRequest, "request.invalid_utf8");
    }

    [Theory]
    [MemberData(nameof(BadSequences))]
    public async Task A_definition_with_invalid_utf8_anywhere_is_refused_and_not_stored(string sequence)
    {
        var valid = ProviderDefinitions.JavaScript(fixture.Provider).ToJsonString();
        var inLabel = Json(valid[..^1] + ",\"connectionLabel\":\"label ", sequence, "\"}");
        var inMemberName = Json("{\"", sequence, "\":1}");
        var atTheEnd = Json(valid[..^1] + ",\"connectionLabel\":\"", sequence, "");

        foreach (var body in new[] { inLabel, inMemberName, atTheEnd })
        {
            using var response = await SendAsync("PUT", "/v1/plugins/utf8-draft/auth-versions/v1", body);
            await Problem.AssertAsync(response, HttpStatusCode.BadRequest, "request.invalid_utf8");
        }

        using var stored = await Api.GetAsync("/v1/plugins/utf8-draft/auth-versions/v1");
        Assert.Equal(HttpStatusCode.NotFound, stored.StatusCode);
    }

    [Theory]
    [MemberData(nameof(BadSequences))]
    public async Task Invalid_utf8_in_a_member_the_model_ignores_is_refused_too(string sequence)
    {
        using var webhook = await SendAsync("POST", "/v1/webhooks", Json("{\"url\":\"https://hooks.example.com/x\",\"note\":\"", sequence, "\"}"));
        using var settings = await SendAsync("PUT", "/v1/workspace/settings", Json("{\"allowedReturnUrlHosts\":[\"utf8.example\"],\"note\":\"", sequence, "\"}"));

        await Problem.AssertAsync(webhook, HttpStatusCode.BadRequest, "request.invalid_utf8");
        await Problem.AssertAsync(settings, HttpStatusCode.BadRequest, "request.invalid_utf8");
        var hooks = await fixture.Flow.GetJsonAsync("/v1/webhooks");
        var workspace = await fixture.Flow.GetJsonAsync("/v1/workspace/settings");
        Assert.Empty(hooks["items"]!.AsArray());
        Assert.DoesNotContain("utf8.example", workspace.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Well_formed_non_ascii_text_is_kept_as_sent()
    {
        var definition = ProviderDefinitions.JavaScript(fixture.Provider);
        definition["fields"] = new JsonArray(new JsonObject { ["key"] = "region", ["label"] = "Région — 東京 😀" });

        using var put = await SendAsync("PUT", "/v1/plugins/utf8-ok/auth-versions/v1", Encoding.UTF8.GetBytes(definition.ToJsonString()));

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var stored = await fixture.Flow.GetJsonAsync("/v1/plugins/utf8-ok/auth-versions/v1");
        Assert.Equal("Région — 東京 😀", (string?)stored["definition"]!["fields"]![0]!["label"]);
    }

    [Fact]
    public async Task A_body_without_a_json_content_type_is_left_to_the_endpoint()
    {
        using var content = new ByteArrayContent(Json("{\"a\":\"", "FF", "\"}"));
        content.Headers.ContentType = new MediaTypeHeaderValue("text/plain");

        using var response = await Api.PutAsync("/v1/plugins/utf8-text/auth-versions/v1", content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    private async Task<HttpResponseMessage> SendAsync(string method, string path, byte[] body)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return await Api.SendAsync(request);
    }

    /// <summary>UTF-8 of <paramref name="before"/>, then the bytes written in hex, then UTF-8 of <paramref name="after"/>.</summary>
    private static byte[] Json(string before, string hexBytes, string after) =>
        [.. Encoding.UTF8.GetBytes(before), .. Convert.FromHexString(hexBytes.Replace(" ", "", StringComparison.Ordinal)), .. Encoding.UTF8.GetBytes(after)];
}
