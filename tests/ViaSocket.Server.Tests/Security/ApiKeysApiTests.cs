using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ViaSocket.Server.Tests.Infrastructure;

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
}
