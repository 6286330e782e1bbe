using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using ViaSocket.Server.Security;
using ViaSocket.Server.Tests.Infrastructure;
using ViaSocket.Workspaces;

namespace ViaSocket.Server.Tests.Security;

/// <summary>
/// Checking an API key is a grain call, made by the authentication middleware before any endpoint runs. When the
/// key's grain cannot be reached (its silo is dying), it is asked again within the request's retry budget, as the
/// endpoint's own grain calls are; once that runs out, the caller gets a 503 problem to retry, not a bare 500 and not a
/// 401 that would make it think the key is wrong.
/// </summary>
public sealed class ApiKeyVerificationOutageTests(ApiKeyVerificationOutageTests.UnreachableKeyGrainFixture fixture)
    : IClassFixture<ApiKeyVerificationOutageTests.UnreachableKeyGrainFixture>
{
    [Fact]
    public async Task A_key_grain_unreachable_for_a_moment_is_asked_again_and_the_request_is_answered()
    {
        using var created = await fixture.Flow.Api.PostAsJsonAsync("/v1/api-keys", new { scopes = new[] { "connections:read" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using var client = fixture.Host.CreateClient((string)JsonNode.Parse(await created.Content.ReadAsStringAsync())!["apiKey"]!);

        // The first use of a new key asks its grain; the silo hosting it is being declared dead.
        fixture.Faults.FailNext(2);
        HttpResponseMessage response;
        int failuresLeft;
        try
        {
            response = await client.GetAsync("/v1/connections");
        }
        finally
        {
            failuresLeft = fixture.Faults.FailuresLeft;
            fixture.Faults.FailNext(0);
        }

        using (response)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(0, failuresLeft);
    }

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
        private int failuresLeft;

        public int FailuresLeft => Volatile.Read(ref failuresLeft);

        /// <summary>Fails the next <paramref name="count"/> calls to key grains, then lets them through.</summary>
        public void FailNext(int count) => Volatile.Write(ref failuresLeft, count);

        public Task Invoke(IOutgoingGrainCallContext context) =>
            context.InterfaceMethod?.DeclaringType == typeof(IApiKeyGrain) && (Failing || TakeFailure())
                ? throw new TimeoutException("Response did not arrive on time (injected by the test).")
                : context.Invoke();

        private bool TakeFailure()
        {
            var left = Volatile.Read(ref failuresLeft);
            while (left > 0)
            {
                var seen = Interlocked.CompareExchange(ref failuresLeft, left - 1, left);
                if (seen == left)
                {
                    return true;
                }

                left = seen;
            }

            return false;
        }
    }

    public sealed class UnreachableKeyGrainFixture : ServiceFixture
    {
        public KeyGrainFaults Faults { get; } = new();

        protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<IOutgoingGrainCallFilter>(Faults);
    }
}
