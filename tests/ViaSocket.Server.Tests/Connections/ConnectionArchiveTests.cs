using System.Net;
using System.Text.Json.Nodes;
using ViaSocket.Server.Tests.Infrastructure;

namespace ViaSocket.Server.Tests.Connections;

/// <summary>Archiving removes a revoked connection for good, and never a connection that still holds tokens.</summary>
public sealed class ConnectionArchiveTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    private ConnectFlow Flow => fixture.Flow;

    [Fact]
    public async Task A_connection_is_archived_only_once_revoked_and_then_leaves_the_list_and_the_api()
    {
        var connectionId = await Flow.ConnectOwnClientAsync("archive-revoked");

        using (var refused = await Flow.Api.PostAsync($"/v1/connections/{connectionId}/archive", null))
        {
            await Problem.AssertAsync(refused, HttpStatusCode.Conflict, "connection.not_revoked");
        }

        Assert.Equal("active", (string?)(await Flow.GetJsonAsync($"/v1/connections/{connectionId}"))["status"]);
        using (var disconnect = await Flow.Api.DeleteAsync($"/v1/connections/{connectionId}"))
        {
            disconnect.EnsureSuccessStatusCode();
        }

        Assert.Single(await ListAsync());
        using (var archived = await Flow.Api.PostAsync($"/v1/connections/{connectionId}/archive", null))
        {
            Assert.Equal(HttpStatusCode.NoContent, archived.StatusCode);
        }

        Assert.Empty(await ListAsync());
        using (var gone = await Flow.Api.GetAsync($"/v1/connections/{connectionId}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        using var again = await Flow.Api.PostAsync($"/v1/connections/{connectionId}/archive", null);
        await Problem.AssertAsync(again, HttpStatusCode.NotFound, "connection.not_found");
    }

    private async Task<JsonArray> ListAsync() =>
        (await Flow.GetJsonAsync("/v1/connections?ownerId=archive-revoked"))["items"]!.AsArray();
}
