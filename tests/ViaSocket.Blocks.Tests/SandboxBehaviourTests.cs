using System.Text.Json.Nodes;
using ViaSocket.Blocks.Sandbox;
using ViaSocket.Domain.Templates;

namespace ViaSocket.Blocks.Tests;

/// <summary>What authors see inside the sandbox: context, results, globals, console, errors.</summary>
public sealed class SandboxBehaviourTests
{
    [Fact]
    public async Task The_block_sees_the_context_as_plain_json_and_its_result_is_converted_like_json_stringify()
    {
        using var harness = new BlockRunnerHarness();

        var result = await harness.RunCodeAsync(
            "return { id: context.authData.id, scopes: context.scopes.split(' '), dropped: undefined, fn() {}, nothing: null };",
            new JsonObject { ["authData"] = new JsonObject { ["id"] = 42 }, ["scopes"] = "a b" });

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal("""{"id":42,"scopes":["a","b"],"nothing":null}""", result.Result!.ToJsonString());
    }

    [Fact]
    public async Task Returning_nothing_gives_a_null_result()
    {
        using var harness = new BlockRunnerHarness();

        var result = await harness.RunCodeAsync("const x = 1;");

        Assert.True(result.Succeeded);
        Assert.Null(result.Result);
    }

    [Fact]
    public async Task A_result_that_is_not_json_data_is_an_invalid_result_failure()
    {
        using var harness = new BlockRunnerHarness();

        var result = await harness.RunCodeAsync("return { big: 10n };");

        Assert.Equal(BlockErrorCodes.InvalidResult, result.Failure?.Code);
    }

    [Fact]
    public async Task Author_globals_behave_like_their_node_and_browser_counterparts()
    {
        using var harness = new BlockRunnerHarness();

        var result = await harness.RunCodeAsync("""
            const params = new URLSearchParams('a=1&b=x+y');
            params.append('c', 'é&');
            params.set('a', '2');
            return {
              query: params.toString(),
              b: params.get('b'),
              base64: Buffer.from('client:sécret').toString('base64'),
              decoded: Buffer.from('Y2xpZW50OnPDqWNyZXQ=', 'base64').toString('utf8'),
              hex: Buffer.from('hi').toString('hex'),
              btoa: btoa('user:pass'),
              atob: atob('dXNlcjpwYXNz'),
              json: JSON.parse(JSON.stringify({ ok: true })).ok,
            };
            """);

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal("a=2&b=x+y&c=%C3%A9%26", result.Result!["query"]!.GetValue<string>());
        Assert.Equal("x y", result.Result!["b"]!.GetValue<string>());
        Assert.Equal(Convert.ToBase64String("client:sécret"u8.ToArray()), result.Result!["base64"]!.GetValue<string>());
        Assert.Equal("client:sécret", result.Result!["decoded"]!.GetValue<string>());
        Assert.Equal("6869", result.Result!["hex"]!.GetValue<string>());
        Assert.Equal("dXNlcjpwYXNz", result.Result!["btoa"]!.GetValue<string>());
        Assert.Equal("user:pass", result.Result!["atob"]!.GetValue<string>());
        Assert.True(result.Result!["json"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Console_output_is_captured_for_diagnostic_runs_only()
    {
        using var harness = new BlockRunnerHarness();
        const string Code = "console.log('token', { a: 1 }); console.error(new Error('bad')); return 1;";

        var captured = await harness.RunCodeAsync(Code, diagnostics: true);
        var quiet = await harness.RunCodeAsync(Code);

        Assert.Equal([new ConsoleEntry("log", """token {"a":1}"""), new ConsoleEntry("error", "Error: bad")], captured.Console);
        Assert.Empty(quiet.Console);
    }

    [Fact]
    public async Task Console_output_is_bounded_in_lines_and_characters()
    {
        using var harness = new BlockRunnerHarness(options =>
        {
            options.MaxConsoleLines = 3;
            options.MaxConsoleCharacters = 10;
        });

        var result = await harness.RunCodeAsync("for (let i = 0; i < 10; i++) console.log('abcdef'); return 1;", diagnostics: true);

        Assert.Equal(2, result.Console.Count);
        Assert.Equal("abcdef", result.Console[0].Message);
        Assert.Equal("abcd…", result.Console[1].Message);
    }

    [Fact]
    public async Task A_thrown_error_is_a_script_failure_with_the_message_and_the_author_line()
    {
        using var harness = new BlockRunnerHarness();

        var result = await harness.RunCodeAsync("const a = 1;\n\nthrow new TypeError('boom');");

        Assert.Equal(BlockFailureKind.Script, result.Failure?.Kind);
        Assert.Equal(BlockErrorCodes.ScriptError, result.Failure!.Code);
        Assert.Equal("TypeError: boom (line 3)", result.Failure.Message);
    }

    [Fact]
    public async Task A_syntax_error_is_reported_with_the_author_line()
    {
        using var harness = new BlockRunnerHarness();

        var result = await harness.RunCodeAsync("const a = 1;\nreturn ]");

        Assert.Equal(BlockErrorCodes.SyntaxError, result.Failure?.Code);
        Assert.Contains("(line 2)", result.Failure!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_block_without_code_or_request_is_rejected()
    {
        using var harness = new BlockRunnerHarness();

        var result = await harness.Runner.RunAsync(new BlockRunRequest("k", new Domain.Definitions.ApiBlock(), new JsonObject(), BlockUrlPolicy.AddressGuardOnly));

        Assert.Equal(BlockErrorCodes.ScriptError, result.Failure?.Code);
    }

    [Fact]
    public void The_expression_evaluator_evaluates_script_expressions_over_the_context()
    {
        using var harness = new BlockRunnerHarness();
        var evaluator = harness.Get<IScriptExpressionEvaluator>();

        var value = evaluator.Evaluate("context.items.map(i => i * 2)", new JsonObject { ["items"] = new JsonArray(1, 2) });

        Assert.Equal("[2,4]", value!.ToJsonString());
    }

    [Fact]
    public void A_runaway_expression_is_stopped_and_reported_without_context_values()
    {
        // The statement cap is lifted so that the wall-clock limit is the one that stops the loop, however fast the machine.
        using var harness = new BlockRunnerHarness(options =>
        {
            options.ExpressionTimeout = TimeSpan.FromMilliseconds(200);
            options.MaxStatements = 1_000_000_000;
        });
        var evaluator = harness.Get<IScriptExpressionEvaluator>();
        var context = new JsonObject { ["clientSecret"] = "TOPSECRET" };

        var loop = Assert.Throws<TemplateRenderException>(() => evaluator.Evaluate("(() => { while (true) {} })()", context));
        var parse = Assert.Throws<TemplateRenderException>(() => evaluator.Evaluate("JSON.parse(context.clientSecret)", context));

        Assert.Contains("ran longer than", loop.Message, StringComparison.Ordinal);
        Assert.Equal("The expression threw SyntaxError.", parse.Detail);
        Assert.DoesNotContain("TOPSECRET", parse.Message, StringComparison.Ordinal);
    }
}

public sealed class SandboxUnitTests
{
    [Fact]
    public void Url_redaction_keeps_parameter_names_and_drops_values_user_info_and_fragment()
    {
        var redacted = UrlRedaction.Redact(new Uri("https://user:pw@api.example.com:8443/token?code=abc&state=x&flag#frag"));

        Assert.Equal("https://api.example.com:8443/token?code=***&state=***&flag", redacted);
    }

    [Theory]
    [InlineData("120", 120)]
    [InlineData(" 5 ", 5)]
    [InlineData("Sat, 28 Nov 2026 10:01:00 GMT", 60)]
    [InlineData("Sat, 28 Nov 2026 09:00:00 GMT", 0)]
    public void Retry_after_accepts_seconds_and_http_dates(string header, int expectedSeconds)
    {
        var clock = new FixedClock(new DateTimeOffset(2026, 11, 28, 10, 0, 0, TimeSpan.Zero));

        var delay = SandboxOutcome.ParseRetryAfter(header, clock);

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), delay);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("soon")]
    [InlineData("-3")]
    public void Retry_after_that_is_not_a_delay_is_ignored(string? header)
    {
        Assert.Null(SandboxOutcome.ParseRetryAfter(header, TimeProvider.System));
    }

    [Fact]
    public void The_script_cache_prepares_a_source_once_and_again_when_it_changes()
    {
        var cache = new PreparedScriptCache(Microsoft.Extensions.Options.Options.Create(new SandboxOptions()));
        var preparations = 0;
        Jint.Prepared<Acornima.Ast.Script> Prepare(string code)
        {
            preparations++;
            return SandboxEngine.PrepareBlock(code);
        }

        var first = cache.GetOrPrepare("v1/testMe", "return 1;", Prepare);
        var second = cache.GetOrPrepare("v1/testMe", "return 1;", Prepare);
        cache.GetOrPrepare("v1/testMe", "return 2;", Prepare);

        Assert.Equal(first.Program, second.Program);
        Assert.Equal(2, preparations);
    }

    [Fact]
    public void The_script_cache_is_bounded()
    {
        var cache = new PreparedScriptCache(Microsoft.Extensions.Options.Options.Create(new SandboxOptions { MaxCachedScripts = 3 }));

        for (var i = 0; i < 10; i++)
        {
            cache.GetOrPrepare($"key{i}", $"return {i};", SandboxEngine.PrepareBlock);
        }

        Assert.Equal(3, cache.Count);
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
