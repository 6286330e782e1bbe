using System.Text.Json.Nodes;
using ViaSocket.Domain.Definitions;

namespace ViaSocket.Blocks.Tests;

/// <summary>Failures a provider signals in its body, and failures a block declares, against the loopback provider.</summary>
public sealed class ProviderOutcomeTests(ProviderServer server) : IClassFixture<ProviderServer>
{
    [Theory]
    [InlineData(200)]
    [InlineData(400)]
    [InlineData(503)]
    public async Task An_invalid_grant_body_is_a_permanent_refusal_whatever_the_status(int status)
    {
        using var harness = new BlockRunnerHarness();

        var result = await harness.RunRequestAsync(new RequestDefinition { Url = $"{server.BaseUrl}/status/{status}" });

        // A 400 was a refusal by its status already and stays an HTTP failure; 200 and 503 are refusals by their body.
        Assert.Equal(status == 400 ? BlockErrorCodes.HttpError : BlockErrorCodes.ProviderRefused, result.Failure?.Code);
        Assert.True(result.Failure!.IsRefusal);
        Assert.False(result.Failure.IsTransient);
        Assert.Null(result.Result);
        Assert.Equal("invalid_grant", (string?)result.Failure.ResponseData!["error"]);
    }

    [Fact]
    public async Task A_javascript_block_returning_a_refusal_body_fails_instead_of_succeeding()
    {
        using var harness = new BlockRunnerHarness();

        var result = await harness.RunCodeAsync($$"""
            const response = await axios.get('{{server.BaseUrl}}/status/200');
            return response.data;
            """);

        Assert.Equal(BlockErrorCodes.ProviderRefused, result.Failure?.Code);
    }

    [Fact]
    public async Task A_declared_rule_makes_a_200_body_transient_with_its_retry_delay()
    {
        using var harness = new BlockRunnerHarness();
        var block = new ApiBlock
        {
            Code = """return { ok: false, error: 'ratelimited', retry_after: 42 };""",
            Outcomes = [new OutcomeRule { Match = new Dictionary<string, IReadOnlyList<string>> { ["ok"] = ["false"], ["error"] = ["ratelimited"] }, Then = OutcomeKinds.Transient, RetryAfterPath = "retry_after" }],
        };

        var result = await harness.Runner.RunAsync(new BlockRunRequest("outcomes/rule", block, new JsonObject(), BlockUrlPolicy.AddressGuardOnly));

        Assert.Equal(BlockErrorCodes.ProviderRetry, result.Failure?.Code);
        Assert.True(result.Failure!.IsTransient);
        Assert.Equal(TimeSpan.FromSeconds(42), result.Failure.RetryAfter);
    }

    [Fact]
    public async Task A_block_says_permanent_with_BlockError()
    {
        using var harness = new BlockRunnerHarness();

        var result = await harness.RunCodeAsync("throw BlockError.permanent('The workspace uninstalled the app.');");

        Assert.Equal(BlockErrorCodes.ProviderRefused, result.Failure?.Code);
        Assert.True(result.Failure!.IsRefusal);
        Assert.Equal("The workspace uninstalled the app.", result.Failure.Message);
    }

    [Fact]
    public async Task A_block_says_transient_with_a_retry_delay_with_BlockError()
    {
        using var harness = new BlockRunnerHarness();

        var result = await harness.RunCodeAsync("throw BlockError.transient('Rate limited', 30);");

        Assert.Equal(BlockErrorCodes.ProviderRetry, result.Failure?.Code);
        Assert.True(result.Failure!.IsTransient);
        Assert.Equal(TimeSpan.FromSeconds(30), result.Failure.RetryAfter);
    }

    [Theory]
    [InlineData("""return { ok: true, team: 'T1' };""", false)]
    [InlineData("""return { access_token: '' };""", false)]
    [InlineData("""return 'access_token=abc';""", false)]
    [InlineData("""return { access_token: 'xoxb-1', expires_in: 3600 };""", true)]
    [InlineData("""return { ok: true, authed_user: { id: 'U1', access_token: 'xoxp-1' } };""", true)]
    public async Task A_token_block_without_an_access_token_is_not_a_success(string code, bool succeeds)
    {
        using var harness = new BlockRunnerHarness();

        var result = await harness.Runner.RunAsync(
            new BlockRunRequest("outcomes/token/" + code.GetHashCode(StringComparison.Ordinal), new ApiBlock { Code = code }, new JsonObject(), BlockUrlPolicy.AddressGuardOnly) { ExpectsToken = true });

        Assert.Equal(succeeds, result.Succeeded);
        Assert.Equal(succeeds ? null : BlockErrorCodes.NoToken, result.Failure?.Code);
    }

    [Fact]
    public async Task An_ordinary_error_is_still_a_script_error()
    {
        using var harness = new BlockRunnerHarness();

        var result = await harness.RunCodeAsync("throw new Error('bug');");

        Assert.Equal(BlockErrorCodes.ScriptError, result.Failure?.Code);
        Assert.False(result.Failure!.IsRefusal);
    }
}
