using System.Net;
using Microsoft.Extensions.Time.Testing;
using ViaSocket.Server.Tests.Infrastructure;
using ViaSocket.TestProvider;

namespace ViaSocket.Server.Tests.Lifecycle;

/// <summary>
/// A token's <c>expires_in</c> counts from when the provider issued it. The answer can be read seconds later (a busy
/// silo, a slow network), and the token ages at the provider all that time: the service must never believe a token
/// valid after the provider has let it expire. The provider and the service share one fake clock here, and the
/// provider holds its answer after issuing the tokens while the clock moves on.
/// </summary>
public sealed class TokenTransitTests(TokenTransitTests.Fixture fixture) : IClassFixture<TokenTransitTests.Fixture>
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);
    // Shorter than the block's own time-out (10 s on the same clock), so the held answer still counts.
    private static readonly TimeSpan Transit = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task A_refreshed_token_read_late_expires_no_later_than_at_the_provider()
    {
        const string clientId = "late-refresh-answer";
        var connectionId = await fixture.Flow.ConnectOwnClientAsync(clientId, WithLifetime);
        var before = await fixture.Flow.AccessTokenAsync(connectionId);

        var hold = fixture.Provider.HoldNextIssuedTokens(clientId);
        var refresh = fixture.Flow.Api.PostAsync($"/v1/connections/{connectionId}/refresh", null);
        var issuedAt = await TransitAsync(hold);
        using (var answer = await refresh)
        {
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }

        Assert.NotEqual(before, await fixture.Flow.AccessTokenAsync(connectionId));
        await AssertExpiresNoLaterThanAtTheProviderAsync(connectionId, issuedAt);
    }

    [Fact]
    public async Task A_first_token_read_late_expires_no_later_than_at_the_provider()
    {
        const string clientId = "late-code-answer";
        var hold = fixture.Provider.HoldNextIssuedTokens(clientId);
        var connect = fixture.Flow.ConnectOwnClientAsync(clientId, WithLifetime);
        var issuedAt = await TransitAsync(hold);
        var connectionId = await connect;

        await AssertExpiresNoLaterThanAtTheProviderAsync(connectionId, issuedAt);
    }

    private static TestClient WithLifetime(TestClient client) => client with { AccessTokenLifetime = Lifetime };

    /// <summary>Waits until the provider issued the tokens, lets them age in transit, then lets the answer go.</summary>
    private async Task<DateTimeOffset> TransitAsync(TokenResponseHold hold)
    {
        await hold.Reached.WaitAsync(TimeSpan.FromSeconds(30));
        var issuedAt = fixture.Time.GetUtcNow();
        fixture.Time.Advance(Transit);
        hold.Release();
        return issuedAt;
    }

    private async Task AssertExpiresNoLaterThanAtTheProviderAsync(string connectionId, DateTimeOffset issuedAt)
    {
        var credentials = await fixture.Flow.GetJsonAsync($"/v1/connections/{connectionId}/credentials");
        var token = await fixture.Flow.AccessTokenAsync(connectionId);
        var expiresAt = credentials["expiresAt"]!.GetValue<DateTimeOffset>();
        Assert.True(expiresAt <= issuedAt + Lifetime, $"expiresAt {expiresAt:O} is after the provider's expiry {issuedAt + Lifetime:O}");

        // The last instant the service believes the token valid, the provider still accepts it.
        fixture.Time.Advance(expiresAt - TimeSpan.FromMilliseconds(1) - fixture.Time.GetUtcNow());
        Assert.True(fixture.Provider.IsAccessTokenActive(token));
    }

    public sealed class Fixture : ServiceFixture
    {
        public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

        protected override TimeProvider? Clock => Time;

        protected override TimeProvider? ProviderClock => Time;
    }
}
