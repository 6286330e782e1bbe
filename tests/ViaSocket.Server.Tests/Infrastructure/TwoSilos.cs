using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using ViaSocket.Connections;
using ViaSocket.SampleEngine;
using ViaSocket.Testing.Postgres;
using ViaSocket.TestProvider;

namespace ViaSocket.Server.Tests.Infrastructure;

/// <summary>Two silo processes on one PostgreSQL, one active connection, and which of the two hosts it (the victim).</summary>
public sealed class TwoSilos(
    TestAuthorizationServer provider, ViaSocket.Server.Security.ApiKey apiKey, SiloProcess victim, SiloProcess survivor, string connectionId, ConnectionCredentials before, string connectionString)
    : IAsyncDisposable
{
    /// <summary>The cluster's database, for engines (Orleans clients) joining it.</summary>
    public string ConnectionString => connectionString;

    public TestAuthorizationServer Provider => provider;

    public SiloProcess Victim => victim;

    public string ConnectionId => connectionId;

    /// <summary>The credentials read before anything was killed.</summary>
    public ConnectionCredentials Before => before;

    /// <param name="customizeClient">Changes the provider client (e.g. its reuse grace).</param>
    /// <param name="customizeDefinition">Changes the auth version before it is published.</param>
    public static async Task<TwoSilos> StartWithConnectionAsync(
        TimeSpan accessTokenLifetime, Func<TestClient, TestClient>? customizeClient = null, Action<JsonObject>? customizeDefinition = null)
    {
        var connectionString = await new PostgresFixture().CreateDatabaseAsync();
        var provider = await TestAuthorizationServer.StartAsync();
        var apiKey = ViaSocket.Server.Security.ApiKey.Generate();
        var keys = ViaSocketTestHost.NewKeyDirectory();
        var publicBaseUrl = new Uri("http://127.0.0.1:1/");
        var first = await SiloProcess.StartAsync(connectionString, apiKey, keys, publicBaseUrl);
        var second = await SiloProcess.StartAsync(connectionString, apiKey, keys, publicBaseUrl);
        try
        {
            var client = ProviderDefinitions.Client(new Uri(publicBaseUrl, "/oauth/callback")) with { AccessTokenLifetime = accessTokenLifetime };
            provider.RegisterClient(customizeClient is null ? client : customizeClient(client));
            using var api = new HttpClient { BaseAddress = first.BaseAddress };
            api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey.Reveal());
            var definition = ProviderDefinitions.JavaScript(provider);
            customizeDefinition?.Invoke(definition);
            var connectionId = await ConnectThroughAsync(api, provider, first.BaseAddress, definition);

            using var engine = EngineClient.CreateHost(connectionString);
            await engine.StartAsync();
            var grains = engine.Services.GetRequiredService<IClusterClient>();
            var connection = grains.GetGrain<IConnectionGrain>(GrainKeys.Connection("default", connectionId));
            var before = (await connection.GetCredentialsAsync()).Credentials!;
            var host = await grains.GetGrain<IManagementGrain>(0).GetActivationAddress(connection);
            await engine.StopAsync();
            var (victim, survivor) = host!.Endpoint.Port == first.SiloPort ? (first, second) : (second, first);
            return new TwoSilos(provider, apiKey, victim, survivor, connectionId, before, connectionString);
        }
        catch
        {
            await first.DisposeAsync();
            await second.DisposeAsync();
            await provider.DisposeAsync();
            throw;
        }
    }

    public HttpClient SurvivorApi()
    {
        var api = new HttpClient { BaseAddress = survivor.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey.Reveal());
        return api;
    }

    public async ValueTask DisposeAsync()
    {
        await victim.DisposeAsync();
        await survivor.DisposeAsync();
        await provider.DisposeAsync();
    }

    /// <summary>Publishes <paramref name="definition"/> as <c>crm</c>/<c>v1</c> and connects an account through the node at <paramref name="serviceBase"/>.</summary>
    /// <returns>The new connection's id.</returns>
    public static async Task<string> ConnectThroughAsync(HttpClient api, TestAuthorizationServer provider, Uri serviceBase, JsonObject definition)
    {
        using (var put = await api.PutAsync("/v1/plugins/crm/auth-versions/v1", Json(definition)))
        {
            put.EnsureSuccessStatusCode();
        }

        using (var publish = await api.PostAsync("/v1/plugins/crm/auth-versions/v1/publish", null))
        {
            publish.EnsureSuccessStatusCode();
        }

        using var start = await api.PostAsync("/v1/connections", Json(new JsonObject { ["pluginId"] = "crm", ["versionId"] = "v1", ["ownerId"] = "user-1" }));
        var started = JsonNode.Parse(await start.Content.ReadAsStringAsync())!;
        var callback = await provider.LoginAsync(new Uri((string)started["authorizeUrl"]!));

        // The provider redirects to the registered public URL; the browser's request reaches this silo's front-end.
        using var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = serviceBase };
        using var completed = await browser.GetAsync(callback.PathAndQuery);
        Assert.Contains("data-outcome=\"success\"", await completed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        return (string)started["connectionId"]!;
    }

    private static StringContent Json(JsonNode node) => new(node.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
}
