using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ViaSocket.Server.Security;
using ViaSocket.Server.Tests.Infrastructure;
using ViaSocket.Workspaces;

namespace ViaSocket.Server.Tests.Security;

/// <summary>Workspace keys are created with scopes, shown once, honoured by scope, and revocable.</summary>
public sealed class ApiKeysApiTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    [Fact]
    public async Task A_created_key_works_within_its_scopes_only()
    {
        using var created = await fixture.Flow.Api.PostAsJsonAsync("/v1/api-keys", new { scopes = new[] { "connections:read" }, description = "read-only engine" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var key = (string)JsonNode.Parse(await created.Content.ReadAsStringAsync())!["apiKey"]!;
        using var client = fixture.Host.CreateClient(key);

        using var list = await client.GetAsync("/v1/connections");
        using var write = await client.PutAsJsonAsync("/v1/plugins/p/auth-versions/v1", new JsonObject());

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, write.StatusCode);
    }

    [Fact]
    public async Task A_revoked_key_is_refused()
    {
        using var created = await fixture.Flow.Api.PostAsJsonAsync("/v1/api-keys", new { scopes = new[] { "connections:read" } });
        var body = JsonNode.Parse(await created.Content.ReadAsStringAsync())!;

        using var revoke = await fixture.Flow.Api.DeleteAsync($"/v1/api-keys/{(string)body["keyId"]!}");
        using var client = fixture.Host.CreateClient((string)body["apiKey"]!);
        using var refused = await client.GetAsync("/v1/connections");

        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    [Fact]
    public async Task Unknown_scopes_are_refused_and_another_workspaces_key_cannot_be_revoked()
    {
        using var badScope = await fixture.Flow.Api.PostAsJsonAsync("/v1/api-keys", new { scopes = new[] { "root" } });
        using var unknownKey = await fixture.Flow.Api.DeleteAsync("/v1/api-keys/0123456789abcdef01");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, badScope.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownKey.StatusCode);
    }

    [Theory]
    [InlineData("connections:read,connections:write")]
    [InlineData("operator")]
    [InlineData("connections:read,operator")]
    [InlineData("definitions:write,definitions:write")]
    public async Task A_key_cannot_grant_scopes_it_does_not_hold(string requested)
    {
        using var minter = await CreateKeyClientAsync(fixture.Flow.Api, "connections:read", "keys:write");

        using var response = await CreateKeyAsync(minter, requested.Split(','));

        await AssertScopeEscalationAsync(response);
    }

    [Fact]
    public async Task A_key_with_every_workspace_scope_still_cannot_mint_an_operator_key_but_an_operator_key_can()
    {
        using var everyWorkspaceScope = await CreateKeyClientAsync(fixture.Flow.Api, [.. ApiKeyScopes.All]);

        using var refused = await CreateKeyAsync(everyWorkspaceScope, ApiKeyScopes.Operator);
        using var minted = await CreateKeyAsync(fixture.Flow.Api, ApiKeyScopes.Operator);

        await AssertScopeEscalationAsync(refused);
        Assert.Equal(HttpStatusCode.Created, minted.StatusCode);
    }

    [Theory]
    [InlineData("KEYS:WRITE")]
    [InlineData("connections:read ")]
    [InlineData(" operator")]
    [InlineData("Operator")]
    [InlineData("connections:reаd")] // Cyrillic "а"
    [InlineData("")]
    [InlineData("connections:*")]
    public async Task Scopes_that_are_not_exactly_a_known_name_are_refused(string scope)
    {
        using var minter = await CreateKeyClientAsync(fixture.Flow.Api, "connections:read", "keys:write");

        using var response = await CreateKeyAsync(minter, scope);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
    }

    [Fact]
    public async Task No_scopes_null_scopes_and_a_null_scope_are_refused()
    {
        using var empty = await fixture.Flow.Api.PostAsJsonAsync("/v1/api-keys", new { scopes = Array.Empty<string>() });
        using var missing = await fixture.Flow.Api.PostAsJsonAsync("/v1/api-keys", new { description = "no scopes" });
        using var nullScope = await fixture.Flow.Api.PostAsJsonAsync("/v1/api-keys", new { scopes = new string?[] { null } });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, empty.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, missing.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, nullScope.StatusCode);
    }

    [Fact]
    public async Task Repeated_scopes_it_holds_are_granted_once()
    {
        using var minter = await CreateKeyClientAsync(fixture.Flow.Api, "connections:read", "keys:write");

        using var response = await CreateKeyAsync(minter, "connections:read", "connections:read");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var scopes = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["scopes"]!.AsArray().Select(s => (string)s!);
        Assert.Equal(["connections:read"], scopes);
    }

    [Fact]
    public async Task A_key_is_always_minted_in_the_callers_workspace_whatever_the_body_says()
    {
        var other = ApiKey.Generate();
        Assert.True(await fixture.Host.Grains.GetGrain<IApiKeyGrain>(other.KeyId)
            .CreateAsync(new ApiKeyRegistration("workspace-victim", other.SecretHash(), ApiKeyScopes.All, "victim")));
        using var victim = fixture.Host.CreateClient(other.Reveal());

        using var created = await fixture.Flow.Api.PostAsJsonAsync("/v1/api-keys", new { scopes = new[] { "connections:read" }, workspaceId = "workspace-victim" });
        var keyId = (string)JsonNode.Parse(await created.Content.ReadAsStringAsync())!["keyId"]!;
        using var revokedByVictim = await victim.DeleteAsync($"/v1/api-keys/{keyId}");
        using var revokedByOwner = await fixture.Flow.Api.DeleteAsync($"/v1/api-keys/{keyId}");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, revokedByVictim.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, revokedByOwner.StatusCode);
    }

    [Fact]
    public async Task A_key_cannot_revoke_a_key_with_scopes_it_does_not_hold_and_that_key_keeps_working()
    {
        using var createdOperator = await CreateKeyAsync(fixture.Flow.Api, "connections:read", ApiKeyScopes.Operator);
        var operatorKey = JsonNode.Parse(await createdOperator.Content.ReadAsStringAsync())!;
        using var minter = await CreateKeyClientAsync(fixture.Flow.Api, [.. ApiKeyScopes.All]);
        using var peer = await CreateKeyAsync(minter, "connections:read");
        var peerKeyId = (string)JsonNode.Parse(await peer.Content.ReadAsStringAsync())!["keyId"]!;

        using var refused = await minter.DeleteAsync($"/v1/api-keys/{(string)operatorKey["keyId"]!}");
        using var operatorClient = fixture.Host.CreateClient((string)operatorKey["apiKey"]!);
        using var stillWorks = await operatorClient.GetAsync("/v1/connections");
        using var allowed = await minter.DeleteAsync($"/v1/api-keys/{peerKeyId}");

        await AssertScopeEscalationAsync(refused);
        Assert.Equal(HttpStatusCode.OK, stillWorks.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, allowed.StatusCode);
    }

    private static Task<HttpResponseMessage> CreateKeyAsync(HttpClient client, params string[] scopes) =>
        client.PostAsJsonAsync("/v1/api-keys", new { scopes });

    private async Task<HttpClient> CreateKeyClientAsync(HttpClient creator, params string[] scopes)
    {
        using var created = await CreateKeyAsync(creator, scopes);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return fixture.Host.CreateClient((string)JsonNode.Parse(await created.Content.ReadAsStringAsync())!["apiKey"]!);
    }

    private static async Task AssertScopeEscalationAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("api_key.scope_escalation", (string?)JsonNode.Parse(body)!["code"]);
    }
}
