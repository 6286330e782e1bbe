using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using ViaSocket.Connections;
using ViaSocket.Server.Tests.Infrastructure;

namespace ViaSocket.Server.Tests.Connections;

/// <summary>
/// While a killed silo's grains are placed again, or on an overloaded silo, a grain call can expire before placement:
/// Orleans ends it with an <see cref="OperationCanceledException"/>. Seen as 500s in the 10,000-connection chaos run;
/// the caller must get the retry or the 503 problem that any other unreachable silo gives.
/// </summary>
public sealed class ExpiredGrainCallTests(ExpiredGrainCallTests.Fixture fixture) : IClassFixture<ExpiredGrainCallTests.Fixture>
{
    [Fact]
    public async Task A_credentials_call_that_expired_before_placement_is_retried()
    {
        var connectionId = await fixture.Flow.ConnectOwnClientAsync("expired-once");
        fixture.Expiry.Expire(connectionId, times: 1);

        using var response = await fixture.Flow.Api.GetAsync($"/v1/connections/{connectionId}/credentials");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, fixture.Expiry.Remaining(connectionId));
    }

    [Fact]
    public async Task A_credentials_call_that_keeps_expiring_answers_503_cluster_unavailable()
    {
        var connectionId = await fixture.Flow.ConnectOwnClientAsync("expired-always");
        fixture.Expiry.Expire(connectionId, times: int.MaxValue);

        using var response = await fixture.Flow.Api.GetAsync($"/v1/connections/{connectionId}/credentials");
        fixture.Expiry.Expire(connectionId, times: 0);

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("cluster.unavailable", (string?)JsonNode.Parse(body)!["code"]);
    }

    /// <summary>Fails credential calls to chosen connections the way Orleans fails a message that expired unplaced.</summary>
    public sealed class PlacementExpiry : IOutgoingGrainCallFilter
    {
        private readonly Dictionary<string, int> remaining = new(StringComparer.Ordinal);

        public void Expire(string connectionId, int times)
        {
            lock (remaining)
            {
                remaining[connectionId] = times;
            }
        }

        public int Remaining(string connectionId)
        {
            lock (remaining)
            {
                return remaining.GetValueOrDefault(connectionId);
            }
        }

        public Task Invoke(IOutgoingGrainCallContext context)
        {
            if (context.InterfaceMethod?.Name == nameof(IConnectionGrain.GetCredentialsAsync))
            {
                var connectionId = GrainKeys.Split(context.TargetId.Key.ToString()!)[^1];
                lock (remaining)
                {
                    if (remaining.GetValueOrDefault(connectionId) > 0)
                    {
                        remaining[connectionId]--;
                        throw new OperationCanceledException($"Message expired before placement could complete for grain connection/{connectionId}.");
                    }
                }
            }

            return context.Invoke();
        }
    }

    public sealed class Fixture : ServiceFixture
    {
        public PlacementExpiry Expiry { get; } = new();

        protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
        {
            ["ViaSocket:Cluster:GrainCallRetryBudget"] = "00:00:01",
        };

        protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<IOutgoingGrainCallFilter>(Expiry);
    }
}
