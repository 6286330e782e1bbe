using System.Net;
using Microsoft.Extensions.Configuration;
using ViaSocket.Server.Tests.Infrastructure;
using ViaSocket.Testing.Postgres;
using ViaSocket.TestProvider;

namespace ViaSocket.Server.Tests.Connections;

/// <summary>A front-end-only process (an Orleans client) serves the whole API through a separate silo.</summary>
public sealed class FrontEndRoleTests
{
    [Fact]
    public async Task A_front_end_only_process_runs_the_connect_flow_through_the_silo()
    {
        var connectionString = await new PostgresFixture().CreateDatabaseAsync();
        await using var provider = await TestAuthorizationServer.StartAsync();
        var apiKey = ViaSocket.Server.Security.ApiKey.Generate();
        await using var silo = await ViaSocketTestHost.StartAsync(connectionString, apiKey);
        await using var frontEnd = await ViaSocketTestHost.StartAsync(connectionString, apiKey, builder =>
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ViaSocket:Role"] = "frontend" }));
        provider.RegisterClient(ProviderDefinitions.Client(frontEnd.CallbackUrl));
        var flow = new ConnectFlow(frontEnd, provider);

        await flow.PublishAsync("crm", "v1", ProviderDefinitions.JavaScript(provider));
        var outcome = await flow.ConnectAsync("crm", "v1");

        Assert.Equal("success", outcome["status"]);
        var credentials = await flow.GetJsonAsync($"/v1/connections/{outcome["connectionId"]}/credentials");
        Assert.True(provider.IsAccessTokenActive(((string)credentials["headers"]!["Authorization"]!)["Bearer ".Length..]));
        using var anonymous = new HttpClient { BaseAddress = frontEnd.BaseAddress };
        using var ready = await anonymous.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task A_front_end_without_tls_refuses_to_start_when_the_gateways_are_reachable_off_this_machine()
    {
        var connectionString = await new PostgresFixture().CreateDatabaseAsync();
        var apiKey = ViaSocket.Server.Security.ApiKey.Generate();

        // A lab silo: clear text explicitly allowed, advertised at a documentation address (TEST-NET-1, nobody's) and
        // bound to loopback, so what the front-end reads from membership is a gateway off this machine.
        await using var silo = await ViaSocketTestHost.StartAsync(connectionString, apiKey, builder =>
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ViaSocket:Cluster:AdvertisedAddress"] = "192.0.2.10",
                ["ViaSocket:Cluster:ListenAddress"] = "127.0.0.1",
                ["ViaSocket:Cluster:AllowInsecureTransport"] = "true",
            }));

        var refused = await Record.ExceptionAsync(() => ViaSocketTestHost.StartAsync(connectionString, apiKey, builder =>
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ViaSocket:Role"] = "frontend" })));

        Assert.NotNull(refused);
        Assert.Contains("192.0.2.10", refused.Message, StringComparison.Ordinal);
        Assert.Contains("ViaSocket:Cluster:AllowInsecureTransport", refused.Message, StringComparison.Ordinal);
    }
}
