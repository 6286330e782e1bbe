using System.Text.Json.Nodes;
using ViaSocket.Domain.Connections;
using ViaSocket.Domain.Definitions;

namespace ViaSocket.Domain.Tests.Connections;

public sealed class RefreshTokenLifetimeTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    private static JsonObject Response(string? refreshToken = "rt-2", long? expiresIn = null)
    {
        var body = new JsonObject { ["access_token"] = "at" };
        if (refreshToken is not null)
        {
            body["refresh_token"] = refreshToken;
        }

        if (expiresIn is not null)
        {
            body["refresh_token_expires_in"] = expiresIn;
        }

        return body;
    }

    [Fact]
    public void The_lifetime_the_provider_states_counts_from_the_request_and_the_warning_comes_three_days_before()
    {
        var lifetime = RefreshTokenLifetime.Compute(null, Response(expiresIn: 30 * 86400), RefreshTokenLifetime.Unknown, Now);

        Assert.Equal(Now.AddDays(30), lifetime.ExpiresAt);
        Assert.Equal(Now.AddDays(27), lifetime.ReconnectSoonAt);
    }

    [Fact]
    public void A_declared_lifetime_applies_to_each_new_refresh_token_and_a_configured_path_and_lead_are_used()
    {
        var declared = new RefreshTokenPolicyDefinition { LifetimeSeconds = 7 * 86400, ReconnectSoonSeconds = 86400 };
        var nested = new RefreshTokenPolicyDefinition { ExpiresInPath = "data.rt_ttl" };

        var fixedLifetime = RefreshTokenLifetime.Compute(declared, Response(), RefreshTokenLifetime.Unknown, Now);
        var fromPath = RefreshTokenLifetime.Compute(nested, new JsonObject { ["refresh_token"] = "rt", ["data"] = new JsonObject { ["rt_ttl"] = "3600" } }, RefreshTokenLifetime.Unknown, Now);

        Assert.Equal(new RefreshTokenLifetime(Now.AddDays(7), Now.AddDays(6)), fixedLifetime);
        Assert.Equal(Now.AddHours(1), fromPath.ExpiresAt);
    }

    [Fact]
    public void The_warning_lead_is_capped_at_half_the_lifetime()
    {
        var lifetime = RefreshTokenLifetime.Compute(new RefreshTokenPolicyDefinition { LifetimeSeconds = 86400 }, Response(), RefreshTokenLifetime.Unknown, Now);

        Assert.Equal(Now.AddHours(12), lifetime.ReconnectSoonAt);
    }

    [Fact]
    public void A_response_without_a_new_refresh_token_keeps_the_stored_lifetime_and_a_new_token_resets_it()
    {
        var policy = new RefreshTokenPolicyDefinition { LifetimeSeconds = 7 * 86400 };
        var stored = new RefreshTokenLifetime(Now.AddDays(2), null);

        Assert.Same(stored, RefreshTokenLifetime.Compute(policy, Response(refreshToken: null), stored, Now));
        Assert.Equal(Now.AddDays(7), RefreshTokenLifetime.Compute(policy, Response(), stored, Now).ExpiresAt);
        Assert.Equal(RefreshTokenLifetime.Unknown, RefreshTokenLifetime.Compute(null, Response(), stored, Now));
    }

    [Fact]
    public void A_restated_lifetime_of_the_same_token_does_not_send_the_warning_again()
    {
        var warned = new RefreshTokenLifetime(Now.AddDays(2), null);

        var restated = RefreshTokenLifetime.Compute(null, Response(refreshToken: null, expiresIn: 2 * 86400), warned, Now);

        Assert.Equal(Now.AddDays(2), restated.ExpiresAt);
        Assert.Null(restated.ReconnectSoonAt);
    }

    [Fact]
    public void Zero_negative_or_non_numeric_lifetimes_are_not_taken_as_said()
    {
        Assert.Equal(RefreshTokenLifetime.Unknown, RefreshTokenLifetime.Compute(null, Response(expiresIn: 0), RefreshTokenLifetime.Unknown, Now));
        Assert.Equal(RefreshTokenLifetime.Unknown, RefreshTokenLifetime.Compute(null, Response(expiresIn: -5), RefreshTokenLifetime.Unknown, Now));
        Assert.Equal(RefreshTokenLifetime.Unknown, RefreshTokenLifetime.Compute(null, new JsonObject { ["refresh_token"] = "rt", ["refresh_token_expires_in"] = "soon" }, RefreshTokenLifetime.Unknown, Now));
    }

    [Theory]
    [InlineData("1e308")]
    [InlineData("99999999999999999999999")]
    public void A_hostile_lifetime_from_the_provider_is_capped_instead_of_overflowing(string lifetime)
    {
        var body = new JsonObject { ["refresh_token"] = "rt", ["refresh_token_expires_in"] = JsonNode.Parse(lifetime) };

        var computed = RefreshTokenLifetime.Compute(null, body, RefreshTokenLifetime.Unknown, Now);

        Assert.Equal(Now.AddSeconds(RefreshTokenLifetime.MaxLifetimeSeconds), computed.ExpiresAt);
    }

    [Fact]
    public void A_refresh_token_is_expired_from_its_expiry_on()
    {
        Assert.False(RefreshTokenLifetime.IsExpired(Now.AddSeconds(1), Now));
        Assert.True(RefreshTokenLifetime.IsExpired(Now, Now));
        Assert.False(RefreshTokenLifetime.IsExpired(null, Now));
    }
}
