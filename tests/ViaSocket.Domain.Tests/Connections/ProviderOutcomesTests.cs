using System.Text.Json.Nodes;
using ViaSocket.Domain.Connections;
using ViaSocket.Domain.Definitions;

namespace ViaSocket.Domain.Tests.Connections;

public sealed class ProviderOutcomesTests
{
    private static readonly OutcomeRule[] SlackRules =
    [
        new() { Match = new Dictionary<string, IReadOnlyList<string>> { ["ok"] = ["false"], ["error"] = ["invalid_auth", "invalid_refresh_token", "token_revoked"] } },
        new() { Match = new Dictionary<string, IReadOnlyList<string>> { ["ok"] = ["false"], ["error"] = ["ratelimited"] }, Then = OutcomeKinds.Transient, RetryAfterPath = "retry_after" },
    ];

    [Theory]
    [InlineData("""{"error":"invalid_grant","error_description":"revoked"}""", "invalid_grant")]
    [InlineData("""{"error":"invalid_client"}""", "invalid_client")]
    [InlineData("""{"error":"unauthorized_client"}""", "unauthorized_client")]
    [InlineData("""{"error":"unsupported_grant_type"}""", "unsupported_grant_type")]
    [InlineData("""{"error":"invalid_scope"}""", "invalid_scope")]
    public void Standard_oauth_errors_in_a_json_body_are_permanent(string body, string error)
    {
        Assert.Equal(new ProviderOutcome(true, error, null), ProviderOutcomes.Recognize(JsonNode.Parse(body), []));
    }

    [Fact]
    public void A_form_encoded_error_body_is_read_too()
    {
        var outcome = ProviderOutcomes.Recognize(JsonValue.Create("error=invalid_grant&error_description=The+code+is+gone"), []);

        Assert.Equal(new ProviderOutcome(true, "invalid_grant", null), outcome);
    }

    [Theory]
    [InlineData("""{"access_token":"t","refresh_token":"r","expires_in":3600}""")]
    [InlineData("""{"error":"temporarily_unavailable"}""")]
    [InlineData("""{"ok":true,"error":"invalid_auth"}""")]
    [InlineData("""["invalid_grant"]""")]
    [InlineData("\"plain words\"")]
    [InlineData("\"{\\\"error\\\":\\\"invalid_grant\\\"}\"")]
    public void Other_bodies_are_not_a_failure_by_default(string body)
    {
        Assert.Null(ProviderOutcomes.Recognize(JsonNode.Parse(body), body.Contains("ok", StringComparison.Ordinal) ? SlackRules : []));
    }

    [Fact]
    public void A_declared_rule_recognises_a_slack_refusal_in_a_200_body()
    {
        var outcome = ProviderOutcomes.Recognize(JsonNode.Parse("""{"ok":false,"error":"invalid_refresh_token"}"""), SlackRules);

        Assert.True(outcome!.Permanent);
        Assert.Equal("ok=false, error=invalid_refresh_token", outcome.Error);
    }

    [Fact]
    public void A_transient_rule_takes_the_retry_delay_from_the_body()
    {
        var outcome = ProviderOutcomes.Recognize(JsonNode.Parse("""{"ok":false,"error":"ratelimited","retry_after":"30"}"""), SlackRules);

        Assert.Equal(new ProviderOutcome(false, "ok=false, error=ratelimited", TimeSpan.FromSeconds(30)), outcome);
    }

    [Fact]
    public void A_declared_rule_reads_a_form_encoded_github_refusal()
    {
        OutcomeRule[] rules = [new() { Match = new Dictionary<string, IReadOnlyList<string>> { ["error"] = ["bad_refresh_token", "bad_verification_code"] } }];

        var outcome = ProviderOutcomes.Recognize(JsonValue.Create("error=bad_refresh_token&error_description=The+refresh+token+passed+is+incorrect+or+expired."), rules);

        Assert.True(outcome!.Permanent);
    }

    [Fact]
    public void Rules_run_before_the_standard_codes_so_an_author_can_make_one_transient()
    {
        OutcomeRule[] rules = [new() { Match = new Dictionary<string, IReadOnlyList<string>> { ["error"] = ["invalid_grant"], ["retryable"] = ["true"] }, Then = OutcomeKinds.Transient }];

        Assert.False(ProviderOutcomes.Recognize(JsonNode.Parse("""{"error":"invalid_grant","retryable":true}"""), rules)!.Permanent);
        Assert.True(ProviderOutcomes.Recognize(JsonNode.Parse("""{"error":"invalid_grant"}"""), rules)!.Permanent);
    }
}
