using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using ViaSocket.Server.Tests.Infrastructure;

namespace ViaSocket.Server.Tests.Lifecycle;

/// <summary>Lifecycle changes of a real connection reach a workspace webhook, signed with the workspace secret.</summary>
public sealed class LifecycleEventTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    [Fact]
    public async Task Connecting_and_disconnecting_are_delivered_to_the_workspace_webhook_with_a_valid_signature()
    {
        var received = new ConcurrentQueue<(string Body, string Timestamp, string Signature)>();
        var receiverBuilder = WebApplication.CreateSlimBuilder();
        receiverBuilder.WebHost.UseUrls("http://127.0.0.1:0");
        receiverBuilder.Logging.ClearProviders();
        await using var receiver = receiverBuilder.Build();
        receiver.MapPost("/hooks", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            received.Enqueue((await reader.ReadToEndAsync(), request.Headers["X-ViaSocket-Timestamp"].ToString(), request.Headers["X-ViaSocket-Signature"].ToString()));
            return Results.Ok();
        });
        await receiver.StartAsync();
        var hookUrl = new Uri(new Uri(receiver.Urls.First()), "/hooks");

        using var added = await fixture.Flow.Api.PostAsJsonAsync("/v1/webhooks", new { url = hookUrl.ToString() });
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var secret = (string)JsonNode.Parse(await added.Content.ReadAsStringAsync())!["signingSecret"]!;

        await fixture.Flow.PublishAsync("crm-events", "v1", ProviderDefinitions.JavaScript(fixture.Provider));
        var connectionId = (await fixture.Flow.ConnectAsync("crm-events", "v1", ownerId: "events-owner"))["connectionId"];
        using (var disconnect = await fixture.Flow.Api.DeleteAsync($"/v1/connections/{connectionId}"))
        {
            Assert.Equal(HttpStatusCode.OK, disconnect.StatusCode);
        }

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (KindsFor(received, connectionId).Count < 3 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Equal(["connected", "created", "revoked"], KindsFor(received, connectionId).Order());
        foreach (var (body, timestamp, signature) in received)
        {
            var expected = "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));
            Assert.Equal(expected, signature);
            Assert.DoesNotContain("token", body, StringComparison.OrdinalIgnoreCase);
        }
    }

    private static List<string> KindsFor(IEnumerable<(string Body, string Timestamp, string Signature)> received, string connectionId) =>
        [.. received.Select(r => JsonNode.Parse(r.Body)!).Where(e => (string?)e["connectionId"] == connectionId).Select(e => (string)e["kind"]!)];
}
