using ViaSocket.Blocks.Sandbox;

namespace ViaSocket.Blocks.Tests;

/// <summary>The adversarial corpus: each limit and escape attempt fails the block with its own classification.</summary>
public sealed class SandboxLimitTests(ProviderServer server) : IClassFixture<ProviderServer>
{
    [Fact]
    public async Task An_infinite_loop_hits_the_statement_cap()
    {
        using var harness = new BlockRunnerHarness(options => options.MaxStatements = 100_000);

        var result = await harness.RunCodeAsync("while (true) { }");

        AssertLimit(result, SandboxLimits.Statements);
    }

    [Fact]
    public async Task An_infinite_loop_under_a_large_statement_cap_hits_the_wall_clock_timeout()
    {
        using var harness = new BlockRunnerHarness(options =>
        {
            options.MaxStatements = int.MaxValue - 1;
            options.Timeout = TimeSpan.FromMilliseconds(300);
        });

        var result = await harness.RunCodeAsync("while (true) { }");

        Assert.Equal(BlockFailureKind.Timeout, result.Failure?.Kind);
        Assert.Equal(BlockErrorCodes.Timeout, result.Failure?.Code);
    }

    [Fact]
    public async Task A_loop_after_an_awaited_request_still_hits_the_timeout()
    {
        using var harness = new BlockRunnerHarness(options =>
        {
            options.MaxStatements = int.MaxValue - 1;
            options.MaxMemoryBytes = long.MaxValue - 1;
            options.Timeout = TimeSpan.FromMilliseconds(500);
        });

        var result = await harness.RunCodeAsync($"await axios.get('{server.BaseUrl}/json'); while (true) {{ }}");

        Assert.Equal(BlockFailureKind.Timeout, result.Failure?.Kind);
        Assert.True(server.CountOf("/json") > 0);
    }

    [Fact]
    public async Task The_timeout_covers_time_spent_awaiting_a_slow_provider()
    {
        using var harness = new BlockRunnerHarness(options => options.Timeout = TimeSpan.FromMilliseconds(300));

        var result = await harness.RunCodeAsync($"const response = await axios.get('{server.BaseUrl}/slow'); return response.data;");

        Assert.True(BlockFailureKind.Timeout == result.Failure?.Kind, result.Failure?.Message);
        Assert.True(result.Duration < TimeSpan.FromSeconds(4), $"took {result.Duration}");
    }

    [Fact]
    public async Task A_memory_bomb_before_any_await_hits_the_memory_cap()
    {
        using var harness = new BlockRunnerHarness(options => options.MaxMemoryBytes = 16 * 1024 * 1024);

        var result = await harness.RunCodeAsync("const o = {}; for (let i = 0; ; i++) { o['k' + i] = 'x'.repeat(1000) + i; }");

        AssertLimit(result, SandboxLimits.Memory);
    }

    [Fact]
    public async Task A_memory_bomb_after_an_await_resumed_on_another_thread_still_hits_the_memory_cap()
    {
        using var harness = new BlockRunnerHarness(options => options.MaxMemoryBytes = 16 * 1024 * 1024);

        var result = await harness.RunCodeAsync($$"""
            await axios.get('{{server.BaseUrl}}/json');
            const o = {};
            for (let i = 0; ; i++) { o['k' + i] = 'x'.repeat(1000) + i; }
            """);

        AssertLimit(result, SandboxLimits.Memory);
    }

    [Fact]
    public async Task Memory_allocated_before_an_await_counts_toward_the_cap_after_it()
    {
        using var harness = new BlockRunnerHarness(options => options.MaxMemoryBytes = 16 * 1024 * 1024);
        // About 13 MB: under the cap on either side of the await, over it on both together.
        const string Chunk = "for (let i = 0; i < 6000; i++) { keep.push('a'.repeat(1000) + i); }";
        var awaitJson = $"await axios.get('{server.BaseUrl}/json');";

        var beforeOnly = await harness.RunCodeAsync($"const keep = []; {Chunk} {awaitJson} return keep.length;");
        var afterOnly = await harness.RunCodeAsync($"const keep = []; {awaitJson} {Chunk} return keep.length;");
        var both = await harness.RunCodeAsync($"const keep = []; {Chunk} {awaitJson} {Chunk} return keep.length;");

        Assert.True(beforeOnly.Succeeded, beforeOnly.Failure?.Message);
        Assert.True(afterOnly.Succeeded, afterOnly.Failure?.Message);
        AssertLimit(both, SandboxLimits.Memory);
    }

    [Fact]
    public async Task A_catastrophic_regex_hits_the_regex_timeout()
    {
        using var harness = new BlockRunnerHarness();

        var result = await harness.RunCodeAsync("return /^(a+)+$/.test('a'.repeat(40) + '!');");

        AssertLimit(result, SandboxLimits.RegexTimeout);
    }

    [Fact]
    public async Task Deep_recursion_hits_the_recursion_limit()
    {
        using var harness = new BlockRunnerHarness();

        var result = await harness.RunCodeAsync("function f(n) { return f(n + 1) + 1; } return f(0);");

        AssertLimit(result, SandboxLimits.RecursionDepth);
    }

    [Fact]
    public async Task Unbounded_recursion_through_native_frames_is_stopped_by_the_stack_guard_without_killing_the_process()
    {
        using var harness = new BlockRunnerHarness(options =>
        {
            options.MaxRecursionDepth = 10_000_000;
            options.MaxStatements = int.MaxValue - 1;
        });

        var result = await harness.RunCodeAsync("function f() { return [1].map(f); } return f();");

        AssertLimit(result, SandboxLimits.RecursionDepth);
    }

    [Fact]
    public async Task A_huge_array_hits_the_array_length_cap()
    {
        using var harness = new BlockRunnerHarness();

        var result = await harness.RunCodeAsync("const a = new Array(1e9); return a.length;");

        AssertLimit(result, SandboxLimits.ArrayLength);
    }

    [Theory]
    [InlineData("return eval('1 + 1');")]
    [InlineData("return new Function('return 1')();")]
    [InlineData("return (() => {}).constructor.constructor('return this')();")]
    [InlineData("return Object.getPrototypeOf(async function () {}).constructor('return 1')();")]
    public async Task String_compilation_is_disabled(string code)
    {
        using var harness = new BlockRunnerHarness();

        var result = await harness.RunCodeAsync(code);

        Assert.Equal(BlockFailureKind.Script, result.Failure?.Kind);
        Assert.Contains("String compilation has been disabled", result.Failure!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prototype_pollution_does_not_leak_into_the_next_run()
    {
        using var harness = new BlockRunnerHarness();
        await harness.RunCodeAsync("Object.prototype.polluted = 1; JSON.parse = () => 'hijacked'; return ({}).polluted;");

        var result = await harness.RunCodeAsync("return { polluted: typeof ({}).polluted, parsed: JSON.parse('{\"a\":1}').a };");

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal("undefined", result.Result!["polluted"]!.GetValue<string>());
        Assert.Equal(1, result.Result!["parsed"]!.GetValue<int>());
    }

    [Fact]
    public async Task Host_and_runtime_escape_hatches_are_not_reachable()
    {
        using var harness = new BlockRunnerHarness();

        var result = await harness.RunCodeAsync("""
            return [typeof System, typeof importNamespace, typeof require, typeof process, typeof clrHelper,
                    typeof host, typeof ShadowRealm, typeof Atomics, typeof SharedArrayBuffer, typeof module];
            """);

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.All(result.Result!.AsArray(), type => Assert.Equal("undefined", type!.GetValue<string>()));
    }

    [Fact]
    public async Task Reaching_for_a_dotnet_namespace_is_a_reference_error()
    {
        using var harness = new BlockRunnerHarness();

        var result = await harness.RunCodeAsync("return System.IO.File.ReadAllText('/etc/passwd');");

        Assert.Equal(BlockFailureKind.Script, result.Failure?.Kind);
        Assert.StartsWith("ReferenceError: System is not defined", result.Failure!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Code_runs_in_strict_mode()
    {
        using var harness = new BlockRunnerHarness();

        var result = await harness.RunCodeAsync("undeclared = 5; return undeclared;");

        Assert.Equal(BlockFailureKind.Script, result.Failure?.Kind);
        Assert.StartsWith("ReferenceError", result.Failure!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_host_conversion_becomes_a_sanitized_javascript_error()
    {
        using var harness = new BlockRunnerHarness();

        var caught = await harness.RunCodeAsync("try { atob('%%%'); } catch (e) { return { name: e.name, message: e.message, stack: String(e.stack) }; }");
        var uncaught = await harness.RunCodeAsync("return Buffer.from('zz!', 'hex').toString('utf8');");

        Assert.Equal("TypeError", caught.Result!["name"]!.GetValue<string>());
        Assert.DoesNotContain("System.", caught.Result!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal(BlockFailureKind.Script, uncaught.Failure?.Kind);
        Assert.DoesNotContain("System.", uncaught.Failure!.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", uncaught.Failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Too_many_outbound_calls_hit_the_outbound_call_limit()
    {
        using var harness = new BlockRunnerHarness(options => options.MaxOutboundCalls = 2);

        var result = await harness.RunCodeAsync($"for (let i = 0; i < 3; i++) {{ await axios.get('{server.BaseUrl}/json'); }}");

        AssertLimit(result, SandboxLimits.OutboundCalls);
    }

    private static void AssertLimit(BlockRunResult result, string limit)
    {
        Assert.False(result.Succeeded);
        Assert.Equal(BlockFailureKind.LimitExceeded, result.Failure!.Kind);
        // Memory has its own code, whichever layer (interpreter or runner process) stopped the run.
        Assert.Equal(limit == SandboxLimits.Memory ? BlockErrorCodes.MemoryExceeded : BlockErrorCodes.LimitExceeded, result.Failure.Code);
        Assert.Contains($"({limit})", result.Failure.Message, StringComparison.Ordinal);
    }
}
