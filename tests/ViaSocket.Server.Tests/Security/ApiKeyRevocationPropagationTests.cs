using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using ViaSocket.Server.Security;
using ViaSocket.Server.Tests.Infrastructure;
using ViaSocket.Testing.Postgres;

namespace ViaSocket.Server.Tests.Security;

/// <summary>
/// Every front-end caches verified keys for the hot credentials path. A revocation made through one front-end reaches
/// the others' caches at once: a silo and a front-end-only process (an Orleans client), both holding the key cached.
/// </summary>
public sealed class ApiKeyRevocationPropagationTests
{
    /// <summary>Far below the cache's own lifetime: the key must be refused because of the announcement, not expiry.</summary>
    private static readonly TimeSpan PropagationBound = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task A_key_revoked_through_one_front_end_is_refused_by_the_other_at_once_both_ways()
    {
        Assert.True(PropagationBound * 10 <= ApiKeyVerificationCache.VerifiedLifetime);
        var connectionString = await new PostgresFixture().CreateDatabaseAsync();
        var bootstrap = ApiKey.Generate();
        await using var silo = await ViaSocketTestHost.StartAsync(connectionString, bootstrap);
        await using var frontEnd = await ViaSocketTestHost.StartAsync(connectionString, bootstrap, builder =>
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ViaSocket:Role"] = "frontend" }));

        await AssertRevocationReachesAsync(revokeThrough: silo, observer: frontEnd);
        await AssertRevocationReachesAsync(revokeThrough: frontEnd, observer: silo);
    }

    private static async Task AssertRevocationReachesAsync(ViaSocketTestHost revokeThrough, ViaSocketTestHost observer)
    {
        using var admin = revokeThrough.CreateClient();
        using var created = await admin.PostAsJsonAsync("/v1/api-keys", new { scopes = new[] { "connections:read" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = JsonNode.Parse(await created.Content.ReadAsStringAsync())!;
        using var viaRevoker = revokeThrough.CreateClient((string)body["apiKey"]!);
        using var viaObserver = observer.CreateClient((string)body["apiKey"]!);

        // Both front-ends verify the key once and cache it.
        using (var first = await viaRevoker.GetAsync("/v1/connections"))
        using (var second = await viaObserver.GetAsync("/v1/connections"))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        }

        using var revoke = await admin.DeleteAsync($"/v1/api-keys/{(string)body["keyId"]!}");
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        var revokedAt = Stopwatch.GetTimestamp();

        using (var atRevoker = await viaRevoker.GetAsync("/v1/connections"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, atRevoker.StatusCode);
        }

        // The announcement is asynchronous (a one-way call to each front-end): poll within the bound.
        HttpStatusCode status;
        do
        {
            using var atObserver = await viaObserver.GetAsync("/v1/connections");
            status = atObserver.StatusCode;
            if (status == HttpStatusCode.Unauthorized)
            {
                break;
            }

            await Task.Delay(50);
        }
        while (Stopwatch.GetElapsedTime(revokedAt) < PropagationBound);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }
}
