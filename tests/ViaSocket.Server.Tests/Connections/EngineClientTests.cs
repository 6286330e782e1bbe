using Microsoft.Extensions.DependencyInjection;
using ViaSocket.SampleEngine;
using ViaSocket.Server.Tests.Infrastructure;

namespace ViaSocket.Server.Tests.Connections;

/// <summary>A workflow engine that is an Orleans client gets credentials by grain call, as the sample engine does.</summary>
public sealed class EngineClientTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    [Fact]
    public async Task An_orleans_client_engine_gets_the_same_credentials_as_the_http_api()
    {
        var flow = fixture.Flow;
        await flow.PublishAsync("crm-engine", "v1", ProviderDefinitions.JavaScript(fixture.Provider));
        var connectionId = (await flow.ConnectAsync("crm-engine", "v1", ownerId: "engine-owner"))["connectionId"];
        var overHttp = await flow.GetJsonAsync($"/v1/connections/{connectionId}/credentials");

        using var engine = EngineClient.CreateHost(fixture.ConnectionString);
        await engine.StartAsync();
        var result = await EngineClient.GetCredentialsAsync(engine.Services.GetRequiredService<IClusterClient>(), "default", connectionId);
        await engine.StopAsync();

        Assert.True(result.Succeeded, result.Error?.Message);
        Assert.Equal((string?)overHttp["headers"]!["Authorization"], result.Credentials!.Headers["Authorization"]);
    }

    [Fact]
    public async Task An_engine_asking_for_an_unknown_connection_gets_a_clear_error()
    {
        using var engine = EngineClient.CreateHost(fixture.ConnectionString);
        await engine.StartAsync();
        var result = await EngineClient.GetCredentialsAsync(engine.Services.GetRequiredService<IClusterClient>(), "default", "conn_missing");
        await engine.StopAsync();

        Assert.False(result.Succeeded);
        Assert.Equal("connection.not_found", result.Error!.Code);
    }
}
