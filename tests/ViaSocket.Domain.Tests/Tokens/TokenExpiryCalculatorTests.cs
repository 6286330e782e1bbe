using System.Text.Json.Nodes;
using ViaSocket.Domain.Definitions;
using ViaSocket.Domain.Tokens;

namespace ViaSocket.Domain.Tests.Tokens;

public sealed class TokenExpiryCalculatorTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static JsonNode Json(string json) => JsonNode.Parse(json)!;

    [Fact]
    public void Expires_in_sets_the_expiry_and_refresh_is_the_default_margin_before_it()
    {
        var decision = TokenExpiryCalculator.Compute(Json("""{ "access_token": "t", "expires_in": 3600 }"""), null, Now);

        Assert.Equal(Now.AddHours(1), decision.ExpiresAt);
        Assert.Equal(Now.AddHours(1).AddSeconds(-300), decision.RefreshAt);
    }

    [Fact]
    public void A_numeric_string_expires_in_is_accepted()
    {
        var decision = TokenExpiryCalculator.Compute(Json("""{ "expires_in": " 7200 " }"""), null, Now);

        Assert.Equal(Now.AddHours(2), decision.ExpiresAt);
    }

    [Fact]
    public void A_twenty_second_token_refreshes_halfway()
    {
        var decision = TokenExpiryCalculator.Compute(Json("""{ "expires_in": 20 }"""), null, Now);

        Assert.Equal(Now.AddSeconds(20), decision.ExpiresAt);
        Assert.Equal(Now.AddSeconds(10), decision.RefreshAt);
    }

    [Fact]
    public void A_nested_expires_in_path_is_read()
    {
        var definition = new TokenExpiryDefinition { ExpiresInPath = "data.token.ttl", RefreshMarginSeconds = 60 };

        var decision = TokenExpiryCalculator.Compute(Json("""{ "data": { "token": { "ttl": 600 } } }"""), definition, Now);

        Assert.Equal(Now.AddMinutes(10), decision.ExpiresAt);
        Assert.Equal(Now.AddMinutes(9), decision.RefreshAt);
    }

    [Fact]
    public void A_millisecond_unit_scales_the_lifetime()
    {
        var definition = new TokenExpiryDefinition { Unit = ExpiryUnits.Milliseconds };

        var decision = TokenExpiryCalculator.Compute(Json("""{ "expires_in": 3600000 }"""), definition, Now);

        Assert.Equal(Now.AddHours(1), decision.ExpiresAt);
    }

    [Fact]
    public void An_iso_expires_at_is_an_absolute_expiry()
    {
        var definition = new TokenExpiryDefinition { ExpiresAtPath = "token.expires_at" };

        var decision = TokenExpiryCalculator.Compute(Json("""{ "token": { "expires_at": "2025-03-01T14:00:00Z" } }"""), definition, Now);

        Assert.Equal(Now.AddHours(2), decision.ExpiresAt);
        Assert.Equal(Now.AddHours(2).AddSeconds(-300), decision.RefreshAt);
    }

    [Theory]
    [InlineData(ExpiryUnits.Seconds, 1740837600d)]
    [InlineData(ExpiryUnits.Milliseconds, 1740837600000d)]
    public void An_epoch_expires_at_uses_the_unit(string unit, double epoch)
    {
        var definition = new TokenExpiryDefinition { ExpiresAtPath = "expires_at", Unit = unit };
        var result = new JsonObject { ["expires_at"] = epoch };

        var decision = TokenExpiryCalculator.Compute(result, definition, Now);

        Assert.Equal(new DateTimeOffset(2025, 3, 1, 14, 0, 0, TimeSpan.Zero), decision.ExpiresAt);
    }

    [Fact]
    public void Without_a_lifetime_or_default_the_token_never_expires()
    {
        Assert.Equal(ExpiryDecision.Never, TokenExpiryCalculator.Compute(Json("""{ "access_token": "t" }"""), null, Now));
    }

    [Fact]
    public void Without_a_lifetime_the_default_lifetime_applies()
    {
        var definition = new TokenExpiryDefinition { DefaultLifetimeSeconds = 1800 };

        var decision = TokenExpiryCalculator.Compute(Json("""{ "access_token": "t", "expires_in": "soon" }"""), definition, Now);

        Assert.Equal(Now.AddMinutes(30), decision.ExpiresAt);
    }

    [Fact]
    public void Never_ignores_any_lifetime_in_the_response()
    {
        var decision = TokenExpiryCalculator.Compute(Json("""{ "expires_in": 3600 }"""), new TokenExpiryDefinition { Never = true }, Now);

        Assert.Equal(ExpiryDecision.Never, decision);
    }

    [Fact]
    public void An_already_expired_token_is_due_for_refresh_at_its_expiry()
    {
        var decision = TokenExpiryCalculator.Compute(Json("""{ "expires_in": 0 }"""), null, Now);

        Assert.Equal(Now, decision.ExpiresAt);
        Assert.Equal(Now, decision.RefreshAt);
    }
}
