using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using ViaSocket.Server.Security;
using ViaSocket.Server.Tests.Infrastructure;
using ViaSocket.Workspaces;

namespace ViaSocket.Server.Tests.Security;

/// <summary>
/// Guessing key ids is cheap for an attacker and used to cost one key grain activation per guess. Now a client address
/// that failed too often gets 429 with Retry-After before any grain is asked, a bad key presented again is refused from
/// memory, and the activation a guess did create does not stay.
/// </summary>
public sealed class FailedAuthenticationTests(FailedAuthenticationTests.CountingFixture fixture) : IClassFixture<FailedAuthenticationTests.CountingFixture>
{
    private const int Limit = 5;

    [Fact]
    public async Task Past_the_limit_an_address_gets_429_with_retry_after_and_another_address_is_unaffected()
    {
        var attacker = IPAddress.Parse("127.0.0.2");
        for (var attempt = 0; attempt < Limit; attempt++)
        {
            using var refused = await GetWithKeyAsync(attacker, ApiKey.Generate().Reveal());
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using var limited = await GetWithKeyAsync(attacker, ApiKey.Generate().Reveal());
        using var otherAddress = await GetWithKeyAsync(IPAddress.Parse("127.0.0.3"), ApiKey.Generate().Reveal());
        using var otherAddressValidKey = await GetWithKeyAsync(IPAddress.Parse("127.0.0.3"), fixture.Host.ApiKey.Reveal());

        var body = await limited.Content.ReadAsStringAsync();
        Assert.True(limited.StatusCode == HttpStatusCode.TooManyRequests, $"{(int)limited.StatusCode}: {body}");
        Assert.Equal("request.rate_limited", (string?)JsonNode.Parse(body)!["code"]);
        var retryAfter = limited.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.Unauthorized, otherAddress.StatusCode);
        Assert.Equal(HttpStatusCode.OK, otherAddressValidKey.StatusCode);
    }

    [Fact]
    public async Task Many_random_key_ids_from_one_address_reach_at_most_the_limit_of_key_grains()
    {
        var attacker = IPAddress.Parse("127.0.0.4");
        var guesses = Enumerable.Range(0, 40).Select(_ => ApiKey.Generate()).ToList();

        foreach (var guess in guesses)
        {
            using var response = await GetWithKeyAsync(attacker, guess.Reveal());
            Assert.True(response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.TooManyRequests, $"{(int)response.StatusCode}");
        }

        var reached = guesses.Count(guess => fixture.Calls.CallsTo(guess.KeyId) > 0);
        Assert.InRange(reached, 1, Limit);
    }

    [Fact]
    public async Task The_same_bad_key_presented_again_asks_its_grain_once()
    {
        var guess = ApiKey.Generate();

        for (var attempt = 0; attempt < Limit - 1; attempt++)
        {
            using var response = await GetWithKeyAsync(IPAddress.Parse("127.0.0.5"), guess.Reveal());
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        Assert.Equal(1, fixture.Calls.CallsTo(guess.KeyId));
    }

    [Fact]
    public async Task The_activation_an_unknown_key_id_created_goes_away()
    {
        var guess = ApiKey.Generate();
        using (var response = await GetWithKeyAsync(IPAddress.Parse("127.0.0.6"), guess.Reveal()))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        var management = fixture.Host.Grains.GetGrain<IManagementGrain>(0);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        bool active;
        do
        {
            var activations = await management.GetDetailedGrainStatistics();
            active = activations.Any(a => a.GrainId.Key.ToString() == guess.KeyId);
            if (!active)
            {
                break;
            }

            await Task.Delay(100);
        }
        while (DateTime.UtcNow < deadline);

        Assert.False(active, "The key grain of an unknown id stayed activated.");
    }

    /// <summary>A GET of the API with <paramref name="apiKey"/>, over a connection from <paramref name="source"/> (a loopback address).</summary>
    private async Task<HttpResponseMessage> GetWithKeyAsync(IPAddress source, string apiKey)
    {
        using var client = new HttpClient(LoopbackSource.Handler(source)) { BaseAddress = fixture.Host.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        var response = await client.GetAsync("/v1/connections");
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    /// <summary>Counts the calls each key grain receives from the front-end (each distinct id is one activation).</summary>
    public sealed class KeyGrainCalls : IOutgoingGrainCallFilter
    {
        private readonly ConcurrentDictionary<string, int> calls = new();

        public int CallsTo(string keyId) => calls.GetValueOrDefault(keyId);

        public Task Invoke(IOutgoingGrainCallContext context)
        {
            if (context.InterfaceMethod?.DeclaringType == typeof(IApiKeyGrain))
            {
                calls.AddOrUpdate(context.TargetId.Key.ToString()!, 1, (_, count) => count + 1);
            }

            return context.Invoke();
        }
    }

    public sealed class CountingFixture : ServiceFixture
    {
        public KeyGrainCalls Calls { get; } = new();

        protected override IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>
        {
            ["ViaSocket:RateLimits:FailedAuthenticationsPerMinutePerIp"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };

        protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<IOutgoingGrainCallFilter>(Calls);
    }
}
