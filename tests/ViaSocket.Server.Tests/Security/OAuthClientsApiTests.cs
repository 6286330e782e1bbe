using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ViaSocket.Server.Apis;
using ViaSocket.Server.Tests.Infrastructure;
using ViaSocket.Workspaces;

namespace ViaSocket.Server.Tests.Security;

/// <summary>The workspace OAuth clients API: write-only secrets, stable problem codes, and nothing across workspaces.</summary>
public sealed class OAuthClientsApiTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private HttpClient Api => fixture.Flow.Api;

    [Fact]
    public async Task Create_list_get_update_and_delete_never_show_the_secret()
    {
        const string secret = "crud-secret-5e4d3c2b1a";
        using var create = await Api.PostAsJsonAsync("/v1/oauth-clients", new { pluginId = "crud-plugin", name = "Prod app", clientId = "crud-app", clientSecret = secret });
        var createdText = await create.Content.ReadAsStringAsync();
        Assert.True(create.StatusCode == HttpStatusCode.Created, createdText);
        var created = JsonNode.Parse(createdText)!;
        var id = (string)created["oauthClientId"]!;
        Assert.StartsWith("oac_", id, StringComparison.Ordinal);
        Assert.Equal($"/v1/oauth-clients/{id}", create.Headers.Location?.ToString());
        Assert.Equal(("crud-plugin", "Prod app", "crud-app"), ((string?)created["pluginId"], (string?)created["name"], (string?)created["clientId"]));
        Assert.Null(created["versionId"]);
        await CreateAsync("other-plugin");

        var listed = await fixture.Flow.GetJsonAsync("/v1/oauth-clients?pluginId=crud-plugin");
        var fetched = await fixture.Flow.GetJsonAsync($"/v1/oauth-clients/{id}");
        using var patch = await Api.PatchAsJsonAsync($"/v1/oauth-clients/{id}", new { name = "Renamed", clientSecret = "crud-rotated-9f8e7d6c" });
        var patchedText = await patch.Content.ReadAsStringAsync();

        Assert.Equal([id], listed["items"]!.AsArray().Select(item => (string)item!["oauthClientId"]!));
        Assert.Equal(id, (string?)fetched["oauthClientId"]);
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        var patched = JsonNode.Parse(patchedText)!;
        Assert.Equal(("Renamed", "crud-app"), ((string?)patched["name"], (string?)patched["clientId"]));
        Assert.True((DateTimeOffset)patched["secretUpdatedAt"]! >= (DateTimeOffset)created["secretUpdatedAt"]!);
        foreach (var text in new[] { createdText, listed.ToJsonString(), fetched.ToJsonString(), patchedText })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
            Assert.DoesNotContain("crud-rotated", text, StringComparison.Ordinal);
            Assert.DoesNotContain("secret\"", text.Replace("secretUpdatedAt\"", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase);
        }

        using (var delete = await Api.DeleteAsync($"/v1/oauth-clients/{id}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        using var gone = await Api.GetAsync($"/v1/oauth-clients/{id}");
        await Problem.AssertAsync(gone, HttpStatusCode.NotFound, OAuthClientErrorCodes.NotFound);
        using var deletedAgain = await Api.DeleteAsync($"/v1/oauth-clients/{id}");
        await Problem.AssertAsync(deletedAgain, HttpStatusCode.NotFound, OAuthClientErrorCodes.NotFound);
        Assert.DoesNotContain(secret, fixture.Host.Logs.AllText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bad plugin", "ok name", "app", "long-enough-secret")]
    [InlineData("plugin", "", "app", "long-enough-secret")]
    [InlineData("plugin", "forged\nERROR line", "app", "long-enough-secret")]
    [InlineData("plugin", "name", "app id\r\nX-Injected: 1", "long-enough-secret")]
    [InlineData("plugin", "name", "app", "short")]
    [InlineData("plugin", "name", "app", null)]
    public async Task Invalid_clients_are_refused_with_a_stable_code_and_without_echoing_the_secret(string pluginId, string name, string clientId, string? clientSecret)
    {
        using var response = await Api.PostAsJsonAsync("/v1/oauth-clients", new { pluginId, name, clientId, clientSecret });

        var problem = await Problem.AssertAsync(response, HttpStatusCode.UnprocessableEntity, OAuthClientErrorCodes.Invalid);
        if (clientSecret is not null)
        {
            Assert.DoesNotContain(clientSecret, problem.ToJsonString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_update_with_an_invalid_member_changes_nothing()
    {
        var id = await CreateAsync("unchanged-plugin");

        using var response = await Api.PatchAsJsonAsync($"/v1/oauth-clients/{id}", new { name = "New name", clientSecret = "tiny" });

        await Problem.AssertAsync(response, HttpStatusCode.UnprocessableEntity, OAuthClientErrorCodes.Invalid);
        Assert.Equal("Some app", (string?)(await fixture.Flow.GetJsonAsync($"/v1/oauth-clients/{id}"))["name"]);
    }

    [Fact]
    public async Task Malformed_ids_and_filters_are_refused_before_any_grain_call()
    {
        using var badRoute = await Api.GetAsync("/v1/oauth-clients/..%2f..%2fx");
        using var badFilter = await Api.GetAsync("/v1/oauth-clients?pluginId=a%20b");

        Assert.Equal(HttpStatusCode.BadRequest, badRoute.StatusCode);
        await Problem.AssertAsync(badFilter, HttpStatusCode.BadRequest, ApiErrorCodes.InvalidRequest);
    }

    [Fact]
    public async Task Another_workspace_can_neither_list_read_change_nor_delete_the_client()
    {
        var id = await CreateAsync("isolated-plugin");
        using var intruder = await OtherWorkspace.ClientAsync(fixture.Host, "workspace-oauth-intruder");

        var list = await intruder.GetFromJsonAsync<JsonObject>("/v1/oauth-clients");
        using var get = await intruder.GetAsync($"/v1/oauth-clients/{id}");
        using var patch = await intruder.PatchAsJsonAsync($"/v1/oauth-clients/{id}", new { clientSecret = "intruder-secret-123456" });
        using var delete = await intruder.DeleteAsync($"/v1/oauth-clients/{id}");

        Assert.Empty(list!["items"]!.AsArray());
        await Problem.AssertAsync(get, HttpStatusCode.NotFound, OAuthClientErrorCodes.NotFound);
        await Problem.AssertAsync(patch, HttpStatusCode.NotFound, OAuthClientErrorCodes.NotFound);
        await Problem.AssertAsync(delete, HttpStatusCode.NotFound, OAuthClientErrorCodes.NotFound);
        var stillThere = await fixture.Flow.GetJsonAsync($"/v1/oauth-clients/{id}");
        Assert.Equal(stillThere["createdAt"]!.ToJsonString(), stillThere["secretUpdatedAt"]!.ToJsonString());
    }

    [Fact]
    public async Task Reading_needs_definitions_read_and_changing_needs_definitions_write()
    {
        using var readOnly = await OtherWorkspace.ClientAsync(fixture.Host, "workspace-oauth-readonly", [ApiKeyScopes.DefinitionsRead]);
        using var noScope = await OtherWorkspace.ClientAsync(fixture.Host, "workspace-oauth-noscope", [ApiKeyScopes.CredentialsRead]);

        using var list = await readOnly.GetAsync("/v1/oauth-clients");
        using var create = await readOnly.PostAsJsonAsync("/v1/oauth-clients", new { pluginId = "p", name = "n", clientId = "c", clientSecret = "long-enough-secret" });
        using var listWithout = await noScope.GetAsync("/v1/oauth-clients");

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, listWithout.StatusCode);
    }

    [Fact]
    public async Task The_secret_is_stored_encrypted()
    {
        const string secret = "at-rest-secret-8d7c6b5a4f";
        await CreateAsync("at-rest-plugin", secret);

        var database = await SecretsAtRestTests.DumpAllTablesAsync(fixture.ConnectionString);

        Assert.Contains("workspaceOAuthClients", database, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, database, StringComparison.Ordinal);
        Assert.DoesNotContain("at-rest-plugin", database, StringComparison.Ordinal);
    }

    private async Task<string> CreateAsync(string pluginId, string secret = "some-secret-0a1b2c3d")
    {
        using var response = await Api.PostAsJsonAsync("/v1/oauth-clients", new { pluginId, name = "Some app", clientId = "some-app", clientSecret = secret });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        return (string)JsonNode.Parse(body)!["oauthClientId"]!;
    }
}
