using System.Net;
using System.Net.Http.Json;
using ViaSocket.Server.Tests.Infrastructure;
using ViaSocket.Workspaces;

namespace ViaSocket.Server.Tests.Security;

/// <summary>A key of another workspace can neither read, nor change, nor even detect workspace A's objects.</summary>
public sealed class WorkspaceIsolationTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    [Fact]
    public async Task Every_endpoint_answers_404_to_another_workspace_and_changes_nothing()
    {
        var flow = fixture.Flow;
        await flow.PublishAsync("isolated", "v1", ProviderDefinitions.JavaScript(fixture.Provider));
        await flow.Api.PutAsJsonAsync("/v1/plugins/isolated/auth-versions/v2", ProviderDefinitions.JavaScript(fixture.Provider));
        var connectionId = (await flow.ConnectAsync("isolated", "v1", ownerId: "tenant-a-user"))["connectionId"];
        var credentialsBefore = await flow.GetJsonAsync($"/v1/connections/{connectionId}/credentials");
        var other = ViaSocket.Server.Security.ApiKey.Generate();
        Assert.True(await fixture.Host.Grains.GetGrain<IApiKeyGrain>(other.KeyId)
            .CreateAsync(new ApiKeyRegistration("workspace-b", other.SecretHash(), ApiKeyScopes.All, "test")));
        using var intruder = fixture.Host.CreateClient(other.Reveal());

        HttpRequestMessage[] requests =
        [
            new(HttpMethod.Get, "/v1/plugins/isolated/auth-versions/v1"),
            new(HttpMethod.Post, "/v1/plugins/isolated/auth-versions/v1/publish"),
            new(HttpMethod.Post, "/v1/plugins/isolated/auth-versions/v2/publish"),
            new(HttpMethod.Delete, "/v1/plugins/isolated/auth-versions/v2"),
            new(HttpMethod.Post, "/v1/plugins/isolated/auth-versions/v1/test-runs") { Content = JsonContent.Create(new { block = "testMe" }) },
            new(HttpMethod.Get, $"/v1/connections/{connectionId}"),
            new(HttpMethod.Get, $"/v1/connections/{connectionId}/credentials"),
            new(HttpMethod.Get, $"/v1/connections/{connectionId}/metadata"),
            new(HttpMethod.Post, $"/v1/connections/{connectionId}/refresh"),
            new(HttpMethod.Post, $"/v1/connections/{connectionId}/test"),
            new(HttpMethod.Post, $"/v1/connections/{connectionId}/proxy") { Content = JsonContent.Create(new { method = "GET", url = fixture.Provider.ResourceUrl.ToString() }) },
            new(HttpMethod.Post, $"/v1/connections/{connectionId}/credentials:apply") { Content = JsonContent.Create(new { method = "GET", url = fixture.Provider.ResourceUrl.ToString() }) },
            new(HttpMethod.Delete, $"/v1/connections/{connectionId}"),
            new(HttpMethod.Post, "/v1/connections") { Content = JsonContent.Create(new { pluginId = "isolated", versionId = "v1", ownerId = "x", connectionId }) },
        ];

        foreach (var request in requests)
        {
            using var response = await intruder.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{request.Method} {request.RequestUri} answered {(int)response.StatusCode}");
        }

        var list = await intruder.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>("/v1/connections");
        Assert.Empty(list!["items"]!.AsArray());
        var versions = await intruder.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>("/v1/plugins/isolated/auth-versions");
        Assert.Empty(versions!["items"]!.AsArray());
        var connection = await flow.GetJsonAsync($"/v1/connections/{connectionId}");
        Assert.Equal("active", (string?)connection["status"]);
        var credentialsAfter = await flow.GetJsonAsync($"/v1/connections/{connectionId}/credentials");
        Assert.Equal(credentialsBefore.ToJsonString(), credentialsAfter.ToJsonString());
        var draft = await flow.GetJsonAsync("/v1/plugins/isolated/auth-versions/v2");
        Assert.Equal("draft", (string?)draft["status"]);
    }
}
