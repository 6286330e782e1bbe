using System.Globalization;
using ViaSocket.Blocks.Sandbox;
using ViaSocket.Domain;
using ViaSocket.Domain.Definitions;
using ViaSocket.Domain.Templates;

namespace ViaSocket.Blocks.Tests;

/// <summary>
/// Blocks that return what the service could not store or answer with (results nested too deep, strings that are not
/// Unicode) or that reach for a module loader: each is a classified block failure, never an exception.
/// </summary>
public sealed class HostileResultTests(ProviderServer server) : IClassFixture<ProviderServer>
{
    private const int Limit = BoundedJson.DefaultMaxDepth;

    [Theory]
    [InlineData("let o = {}; for (let i = 1; i < DEPTH; i++) { o = { a: o }; } return o;")]
    [InlineData("let o = []; for (let i = 1; i < DEPTH; i++) { o = [o]; } return o;")]
    [InlineData("let o = {}; for (let i = 2; i < DEPTH; i++) { o = i % 2 ? [o] : { a: o }; } return { token: 'x', deep: o };")]
    public async Task A_result_nested_deeper_than_the_limit_is_a_limit_failure_and_one_at_the_limit_is_returned(string code)
    {
        using var harness = new BlockRunnerHarness();

        var atLimit = await harness.RunCodeAsync(code.Replace("DEPTH", Limit.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
        var beyond = await harness.RunCodeAsync(code.Replace("DEPTH", (Limit + 1).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
        var far = await harness.RunCodeAsync(code.Replace("DEPTH", "5000", StringComparison.Ordinal));

        Assert.True(atLimit.Succeeded, atLimit.Failure?.Message);
        AssertResultDepthLimit(beyond);
        AssertResultDepthLimit(far);
    }

    [Fact]
    public async Task A_declarative_response_nested_deeper_than_the_limit_is_a_limit_failure()
    {
        using var harness = new BlockRunnerHarness();

        var atLimit = await harness.RunRequestAsync(new RequestDefinition { Url = $"{server.BaseUrl}/nested/{Limit}" });
        var beyond = await harness.RunRequestAsync(new RequestDefinition { Url = $"{server.BaseUrl}/nested/{Limit + 1}" });
        var far = await harness.RunRequestAsync(new RequestDefinition { Url = $"{server.BaseUrl}/nested/2000" });

        Assert.True(atLimit.Succeeded, atLimit.Failure?.Message);
        AssertResultDepthLimit(beyond);
        AssertResultDepthLimit(far);
    }

    [Fact]
    public async Task A_deep_error_response_is_kept_as_text_in_the_failure()
    {
        using var harness = new BlockRunnerHarness();

        var result = await harness.RunCodeAsync($$"""
            const deep = '{"a":'.repeat(49) + '{}' + '}'.repeat(49);
            const error = new Error('Request failed with status code 400');
            error.isAxiosError = true;
            error.response = { status: 400, data: JSON.parse(deep), headers: {} };
            throw error;
            """);

        Assert.True(BlockErrorCodes.HttpError == result.Failure?.Code, result.Failure?.Message);
        Assert.StartsWith("{\"a\":", result.Failure!.ResponseData!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("return '\\ud800';")]
    [InlineData("return { name: 'x\\udc00y' };")]
    [InlineData("return { ['\\ud800']: 1 };")]
    [InlineData("throw new Error('\\ud800');")]
    public async Task A_result_holding_an_unpaired_surrogate_is_an_invalid_result(string code)
    {
        using var harness = new BlockRunnerHarness();

        var result = await harness.RunCodeAsync(code);

        Assert.Equal(BlockErrorCodes.InvalidResult, result.Failure?.Code);
    }

    [Fact]
    public async Task A_declarative_response_holding_an_unpaired_surrogate_is_an_invalid_result()
    {
        using var harness = new BlockRunnerHarness();

        var result = await harness.RunRequestAsync(new RequestDefinition { Url = $"{server.BaseUrl}/unpaired-surrogate" });

        Assert.Equal(BlockErrorCodes.InvalidResult, result.Failure?.Code);
    }

    [Theory]
    [InlineData("const m = await import('./x.js'); return m;")]
    [InlineData("return import('data:text/javascript,export default 1');")]
    [InlineData("try { await import('x'); } catch (e) { return 'caught'; }")]
    [InlineData("const load = () => import('x');\nreturn typeof load;")]
    public async Task Dynamic_import_is_a_syntax_error_before_anything_runs(string code)
    {
        using var harness = new BlockRunnerHarness();

        var result = await harness.RunCodeAsync(code);

        Assert.Equal(BlockFailureKind.Script, result.Failure?.Kind);
        Assert.Equal(BlockErrorCodes.SyntaxError, result.Failure!.Code);
        Assert.Contains("import() is not available", result.Failure.Message, StringComparison.Ordinal);
        Assert.Contains("(line 1)", result.Failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_template_expression_with_dynamic_import_fails_to_render()
    {
        using var harness = new BlockRunnerHarness();
        var evaluator = harness.Get<IScriptExpressionEvaluator>();

        var error = Assert.Throws<TemplateRenderException>(() => evaluator.Evaluate("import('x')", []));

        Assert.Equal("The expression threw SyntaxError.", error.Message);
    }

    private static void AssertResultDepthLimit(BlockRunResult result)
    {
        Assert.Equal(BlockFailureKind.LimitExceeded, result.Failure?.Kind);
        Assert.Equal(BlockErrorCodes.LimitExceeded, result.Failure!.Code);
        Assert.Contains($"({SandboxLimits.ResultDepth})", result.Failure.Message, StringComparison.Ordinal);
        Assert.Null(result.Result);
    }
}
