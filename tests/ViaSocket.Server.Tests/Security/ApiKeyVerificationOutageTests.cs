using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using ViaSocket.Server.Security;
using ViaSocket.Server.Tests.Infrastructure;
using ViaSocket.Workspaces;

namespace ViaSocket.Server.Tests.Security;

/// <summary>
/// Checking an API key is a grain call, made by the authentication middleware before any endpoint runs. When the
/// key's grain cannot be reached (its silo is dying), the caller gets a 503 problem to retry, not a bare 500 and not
/// a 401 that would make it think the key is wrong.
/// </summary>
public sealed class ApiKeyVerificationOutageTests(ApiKeyVerificationOutageTests.UnreachableKeyGrainFixture fixture)
    : IClassFixture<ApiKeyVerificationOutageTests.UnreachableKeyGrainFixture>
{
    [Fact]
    public async Task An_unreachable_key_grain_answers_503_cluster_unavailable()
    {
        using var client = new HttpClient { BaseAddress = fixture.Host.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey.Generate().Reveal());

        fixture.Faults.Failing = true;
        HttpResponseMessage response;
        try
        {
            response = await client.GetAsync("/v1/connections");
        }
        finally
        {
            fixture.Faults.Failing = false;
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode}: {body}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("cluster.unavailable", (string?)JsonNode.Parse(body)!["code"]);
        }

        // Reachable again, the same unknown key is simply not accepted.
        using var refused = await client.GetAsync("/v1/connections");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
    }

    /// <summary>Fails calls to API key grains the way a call to a silo that stopped answering fails.</summary>
    public sealed class KeyGrainFaults : IOutgoingGrainCallFilter
    {
        public volatile bool Failing;

        public Task Invoke(IOutgoingGrainCallContext context) =>
            Failing && context.InterfaceMethod?.DeclaringType == typeof(IApiKeyGrain)
                ? throw new TimeoutException("Response did not arrive on time (injected by the test).")
                : context.Invoke();
    }

    public sealed class UnreachableKeyGrainFixture : ServiceFixture
    {
        public KeyGrainFaults Faults { get; } = new();

        protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<IOutgoingGrainCallFilter>(Faults);
    }
}
