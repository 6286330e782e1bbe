using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ViaSocket.Server.Tests.Infrastructure;

namespace ViaSocket.Server.Tests.Security;

/// <summary>
/// Identifiers with a trailing newline, a control character or an invisible format character, through every way the
/// HTTP API takes one: route values, query parameters, JSON bodies, field keys of definitions and of connection
/// starts, API key descriptions. Each is a problem with a code, before any grain is asked.
/// </summary>
public sealed class IdentifierInputTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    /// <summary>A trailing newline (which .NET's <c>$</c> lets through), a NUL, a zero-width space, a right-to-left override.</summary>
    public static TheoryData<string> HostileIds => new() { "abc\n", "a\u0000b", "a\u200Bb", "a\u202Eb" };

    private HttpClient Api => fixture.Flow.Api;

    [Theory]
    [InlineData("abc\n")]
    [InlineData("a\u200Bb")]
    [InlineData("a\u202Eb")]
    public async Task A_route_id_is_refused_as_an_invalid_identifier(string id)
    {
        var escaped = Uri.EscapeDataString(id);

        using var connection = await Api.GetAsync($"/v1/connections/{escaped}");
        using var refresh = await Api.PostAsync($"/v1/connections/{escaped}/refresh", null);
        using var plugin = await Api.GetAsync($"/v1/plugins/{escaped}/auth-versions/v1");
        using var version = await Api.PutAsJsonAsync($"/v1/plugins/crm/auth-versions/{escaped}", new JsonObject());
        using var webhook = await Api.DeleteAsync($"/v1/webhooks/{escaped}");
        using var proxy = await Api.PostAsJsonAsync($"/v1/connections/{escaped}/proxy", new { method = "GET", url = "https://api.example.com/x" });

        foreach (var response in new[] { connection, refresh, plugin, version, webhook, proxy })
        {
            await Problem.AssertAsync(response, HttpStatusCode.BadRequest, "request.invalid_identifier");
        }
    }

    [Fact]
    public async Task A_nul_in_a_route_id_is_refused_by_the_server_before_the_service_sees_it()
    {
        using var response = await Api.GetAsync("/v1/connections/a%00b");

        // Kestrel refuses a NUL in the path while parsing the request line, with a bare 400.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(HostileIds))]
    public async Task A_query_id_is_refused(string id)
    {
        using var response = await Api.GetAsync($"/v1/connections?ownerId={Uri.EscapeDataString(id)}");

        await Problem.AssertAsync(response, HttpStatusCode.BadRequest, "request.invalid");
    }

    [Theory]
    [MemberData(nameof(HostileIds))]
    public async Task A_body_id_of_a_connection_start_is_refused(string id)
    {
        using var plugin = await Api.PostAsJsonAsync("/v1/connections", new { pluginId = id, versionId = "v1", ownerId = "u" });
        using var owner = await Api.PostAsJsonAsync("/v1/connections", new { pluginId = "crm", versionId = "v1", ownerId = id });
        using var reconnect = await Api.PostAsJsonAsync("/v1/connections", new { pluginId = "crm", versionId = "v1", ownerId = "u", connectionId = id });
        using var redirect = await Api.GetAsync($"/v1/connections/authorize?pluginId=crm&versionId={Uri.EscapeDataString(id)}&ownerId=u");

        foreach (var response in new[] { plugin, owner, reconnect, redirect })
        {
            await Problem.AssertAsync(response, HttpStatusCode.UnprocessableEntity, "request.invalid");
        }
    }

    [Theory]
    [MemberData(nameof(HostileIds))]
    public async Task A_field_key_of_a_connection_start_is_refused_without_echoing_it(string key)
    {
        using var response = await Api.PostAsJsonAsync("/v1/connections", new
        {
            pluginId = "crm",
            versionId = "v1",
            ownerId = "u",
            fields = new Dictionary<string, string> { [key] = "value" },
        });

        var problem = await Problem.AssertAsync(response, HttpStatusCode.UnprocessableEntity, "request.invalid");
        Assert.DoesNotContain(key, (string?)problem["detail"], StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(HostileIds))]
    public async Task A_field_key_of_a_definition_is_refused_at_its_pointer(string key)
    {
        var definition = ProviderDefinitions.JavaScript(fixture.Provider);
        definition["fields"] = new JsonArray(new JsonObject { ["key"] = key, ["label"] = "Subdomain" });

        using var response = await Api.PutAsJsonAsync("/v1/plugins/hostile-field/auth-versions/v1", definition);

        var problem = await Problem.AssertAsync(response, HttpStatusCode.UnprocessableEntity, "auth_version.invalid");
        var error = Assert.Single(problem["errors"]!.AsArray());
        Assert.Equal("/fields/0/key", (string?)error!["pointer"]);
        Assert.Equal("definition.invalid_field_key", (string?)error["code"]);
    }

    [Theory]
    [MemberData(nameof(HostileIds))]
    public async Task An_api_key_description_with_control_or_format_characters_is_refused(string description)
    {
        using var response = await Api.PostAsJsonAsync("/v1/api-keys", new { scopes = new[] { "connections:read" }, description });

        await Problem.AssertAsync(response, HttpStatusCode.UnprocessableEntity, "request.invalid");
    }

    [Fact]
    public async Task Plain_identifiers_and_descriptions_are_accepted()
    {
        using var key = await Api.PostAsJsonAsync("/v1/api-keys", new { scopes = new[] { "connections:read" }, description = "CI runner — eu-west (ünïcode is fine)" });
        using var connection = await Api.GetAsync("/v1/connections/conn_does-not.exist_1");

        Assert.Equal(HttpStatusCode.Created, key.StatusCode);
        await Problem.AssertAsync(connection, HttpStatusCode.NotFound, "connection.not_found");
    }
}
