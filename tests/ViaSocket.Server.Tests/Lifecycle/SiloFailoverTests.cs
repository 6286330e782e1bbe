using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using ViaSocket.Connections;
using ViaSocket.SampleEngine;
using ViaSocket.Server.Tests.Infrastructure;
using ViaSocket.Testing.Postgres;
using ViaSocket.TestProvider;

namespace ViaSocket.Server.Tests.Lifecycle;

/// <summary>Two silo processes on one PostgreSQL; the one hosting a connection is killed with SIGKILL or stopped with SIGTERM.</summary>
public sealed class SiloFailoverTests
{
    [Fact]
    public async Task When_the_hosting_silo_is_killed_the_other_takes_its_reminder_and_refreshes_before_expiry()
    {
        await using var cluster = await TwoSilos.StartWithConnectionAsync(TimeSpan.FromSeconds(90));
        var provider = cluster.Provider;
        var refreshesBefore = provider.RefreshGrants;

        cluster.Victim.Kill();

        // The token lives 90 s and falls due for refresh at 45 s; the survivor must notice the death, take the
        // reminder range and refresh in that window, without anyone asking for credentials.
        var deadline = cluster.Before.ExpiresAt!.Value;
        while (provider.RefreshGrants == refreshesBefore && DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(500);
        }

        Assert.True(provider.RefreshGrants > refreshesBefore, "no refresh reached the provider before the token expired");
        Assert.True(DateTimeOffset.UtcNow < deadline);
        Assert.Equal(0, provider.RefreshTokenReuseCount);

        // Reads are answered with the old, still valid token until the refreshed one is stored.
        using var survivorApi = cluster.SurvivorApi();
        var authorization = await ConnectFlow.ReadUntilChangedAsync(AuthorizationAsync, cluster.Before.Headers["Authorization"], deadline);
        Assert.NotEqual(cluster.Before.Headers["Authorization"], authorization);
        Assert.True(provider.IsAccessTokenActive(authorization["Bearer ".Length..]));

        async Task<string> AuthorizationAsync() =>
            (string)JsonNode.Parse(await survivorApi.GetStringAsync($"/v1/connections/{cluster.ConnectionId}/credentials"))!["headers"]!["Authorization"]!;
    }

    [Fact]
    public async Task Reads_through_the_surviving_front_end_while_the_hosting_silo_dies_are_answered_not_failed()
    {
        await using var cluster = await TwoSilos.StartWithConnectionAsync(TimeSpan.FromHours(1));

        cluster.Victim.Kill();

        // The first reads go to the dead silo's activation; the front-end must wait out the detection and answer.
        using var survivorApi = cluster.SurvivorApi();
        var reads = Enumerable.Range(0, 8).Select(async _ =>
        {
            using var response = await survivorApi.GetAsync($"/v1/connections/{cluster.ConnectionId}/credentials");
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        });
        var answers = await Task.WhenAll(reads);

        Assert.All(answers, answer => Assert.True(answer.StatusCode == System.Net.HttpStatusCode.OK, $"{(int)answer.StatusCode}: {answer.Body}"));
        var token = ((string)JsonNode.Parse(answers[0].Body)!["headers"]!["Authorization"]!)["Bearer ".Length..];
        Assert.True(cluster.Provider.IsAccessTokenActive(token));
    }

    [Fact]
    public async Task When_the_hosting_silo_is_stopped_during_a_refresh_the_rotated_token_is_stored_not_lost()
    {
        await using var cluster = await TwoSilos.StartWithConnectionAsync(TimeSpan.FromHours(1));
        var provider = cluster.Provider;
        var providerAnswer = provider.HoldNextIssuedTokens(ProviderDefinitions.ClientId);
        using var survivorApi = cluster.SurvivorApi();

        // The provider has rotated the refresh token and holds its answer while the hosting silo is asked to stop.
        var refresh = survivorApi.PostAsync($"/v1/connections/{cluster.ConnectionId}/refresh", null);
        await providerAnswer.Reached.WaitAsync(TimeSpan.FromSeconds(30));
        var stopping = cluster.Victim.TerminateAsync(TimeSpan.FromSeconds(60));
        await Task.Delay(TimeSpan.FromSeconds(1));
        providerAnswer.Release();
        Assert.True(await stopping, "the silo did not stop within 60 s of SIGTERM");
        (await refresh).Dispose();

        // Had the new refresh token been dropped with the activation, the next refresh would present the retired one.
        await Task.Delay(TimeSpan.FromSeconds(5.5)); // past the window in which an on-demand refresh is answered with the fresh token
        using var next = await survivorApi.PostAsync($"/v1/connections/{cluster.ConnectionId}/refresh", null);
        var body = await next.Content.ReadAsStringAsync();

        Assert.True(next.IsSuccessStatusCode, $"{(int)next.StatusCode}: {body}");
        Assert.Equal(0, provider.RefreshTokenReuseCount);
        Assert.Equal(2, provider.RefreshGrantLog.Count(r => r.StatusCode == 200));
    }

    /// <summary>Two silo processes, one active connection, and which of the two hosts it (the victim).</summary>
    private sealed class TwoSilos(TestAuthorizationServer provider, ViaSocket.Server.Security.ApiKey apiKey, SiloProcess victim, SiloProcess survivor, string connectionId, ConnectionCredentials before)
        : IAsyncDisposable
    {
        public TestAuthorizationServer Provider => provider;

        public SiloProcess Victim => victim;

        public string ConnectionId => connectionId;

        /// <summary>The credentials read before anything was killed.</summary>
        public ConnectionCredentials Before => before;

        public static async Task<TwoSilos> StartWithConnectionAsync(TimeSpan accessTokenLifetime)
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
                provider.RegisterClient(ProviderDefinitions.Client(new Uri(publicBaseUrl, "/oauth/callback")) with { AccessTokenLifetime = accessTokenLifetime });
                using var api = new HttpClient { BaseAddress = first.BaseAddress };
                api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey.Reveal());
                var connectionId = await ConnectThroughAsync(api, provider, first.BaseAddress);

                using var engine = EngineClient.CreateHost(connectionString);
                await engine.StartAsync();
                var grains = engine.Services.GetRequiredService<IClusterClient>();
                var connection = grains.GetGrain<IConnectionGrain>(GrainKeys.Connection("default", connectionId));
                var before = (await connection.GetCredentialsAsync()).Credentials!;
                var host = await grains.GetGrain<IManagementGrain>(0).GetActivationAddress(connection);
                await engine.StopAsync();
                var (victim, survivor) = host!.Endpoint.Port == first.SiloPort ? (first, second) : (second, first);
                return new TwoSilos(provider, apiKey, victim, survivor, connectionId, before);
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
    }

    private static async Task<string> ConnectThroughAsync(HttpClient api, TestAuthorizationServer provider, Uri serviceBase)
    {
        var definition = ProviderDefinitions.JavaScript(provider);
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
