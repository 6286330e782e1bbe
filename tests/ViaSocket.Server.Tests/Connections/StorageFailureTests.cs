using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ViaSocket.Server.Tests.Infrastructure;

namespace ViaSocket.Server.Tests.Connections;

/// <summary>A database failure under a grain call reaches the caller as 503 problem+json, never as a 500 or the driver's message.</summary>
public sealed class StorageFailureTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    [Fact]
    public async Task Starting_a_connection_while_grain_storage_is_unavailable_answers_503_storage_unavailable()
    {
        await fixture.Flow.PublishAsync("storage-down", "v1", ProviderDefinitions.JavaScript(fixture.Provider));
        await fixture.ExecuteSqlAsync("ALTER TABLE orleans_storage RENAME TO orleans_storage_offline");
        HttpResponseMessage response;
        try
        {
            response = await fixture.Flow.Api.PostAsJsonAsync("/v1/connections", new { pluginId = "storage-down", versionId = "v1", ownerId = "user-1" });
        }
        finally
        {
            await fixture.ExecuteSqlAsync("ALTER TABLE orleans_storage_offline RENAME TO orleans_storage");
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            var problem = JsonNode.Parse(body)!;
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, body);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("storage.unavailable", (string?)problem["code"]);
            Assert.Contains("SQLSTATE 42P01", (string?)problem["detail"], StringComparison.Ordinal);
            Assert.DoesNotContain("orleans_storage", (string?)problem["detail"], StringComparison.Ordinal);
        }

        var (_, authorizeUrl) = await fixture.Flow.StartAsync("storage-down", "v1");
        Assert.NotNull(authorizeUrl);
    }
}
