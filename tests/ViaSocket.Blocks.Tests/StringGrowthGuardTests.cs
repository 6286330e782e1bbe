using System.Text.Json.Nodes;
using ViaSocket.Domain.Templates;

namespace ViaSocket.Blocks.Tests;

/// <summary>
/// Built-ins that build a long string in one call are refused before they allocate. Template expressions run in the
/// silo itself, so there the guard is what keeps one expression from allocating hundreds of megabytes at once.
/// </summary>
public sealed class StringGrowthGuardTests
{
    private const long MiB = 1024 * 1024;

    [Theory]
    [InlineData("'x'.repeat(256 * 1024 * 1024)")]
    [InlineData("'x'.padStart(3e8)")]
    [InlineData("'x'.padEnd(3e8, 'ab')")]
    [InlineData("Array(100000).join('x'.repeat(10000))")]
    [InlineData("['x'.repeat(60000), 'y'.repeat(60000)].join('').repeat(300)")]
    public void A_template_expression_that_builds_a_huge_string_in_one_call_fails_without_allocating_it(string expression)
    {
        using var harness = new BlockRunnerHarness();
        var evaluator = harness.Get<IScriptExpressionEvaluator>();
        var before = GC.GetAllocatedBytesForCurrentThread();

        var error = Assert.Throws<TemplateRenderException>(() => evaluator.Evaluate(expression, new JsonObject()));

        Assert.Contains("memory", error.Message, StringComparison.Ordinal);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 32 * MiB, $"The expression allocated {(GC.GetAllocatedBytesForCurrentThread() - before) / MiB} MiB.");
    }

    [Fact]
    public void Joining_an_array_like_longer_than_an_array_may_be_is_refused_instead_of_walking_it()
    {
        using var harness = new BlockRunnerHarness();

        var error = Assert.Throws<TemplateRenderException>(() => harness.Get<IScriptExpressionEvaluator>().Evaluate("Array.prototype.join.call({ length: 1e9 }, '')", new JsonObject()));

        Assert.Contains("array length", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("'ab'.repeat(3)", "ababab")]
    [InlineData("'ab'.repeat(0)", "")]
    [InlineData("'ab'.repeat(2.9)", "abab")]
    [InlineData("'a'.padStart(3, '-')", "--a")]
    [InlineData("'a'.padEnd(3)", "a  ")]
    [InlineData("'abc'.padStart(2)", "abc")]
    [InlineData("'a'.padStart(1e9, '')", "a")]
    [InlineData("[1, null, undefined, 'x'].join('-')", "1---x")]
    [InlineData("[1, [2, 3]].join()", "1,2,3")]
    [InlineData("Array.prototype.join.call({ length: 2, 0: 'a', 1: 'b' }, '+')", "a+b")]
    [InlineData("(() => { let calls = 0; const n = { valueOf() { calls++; return 2; } }; return 'x'.repeat(n) + calls; })()", "xx1")]
    [InlineData("(() => { try { 'x'.repeat(Infinity); } catch (e) { return e.name; } })()", "RangeError")]
    [InlineData("(() => { try { String.prototype.repeat.call(null, 2); } catch (e) { return e.name; } })()", "TypeError")]
    [InlineData("String(String.prototype.repeat.length) + Object.keys(String.prototype).length", "10")]
    public void The_guarded_built_ins_keep_their_behaviour(string expression, string expected)
    {
        using var harness = new BlockRunnerHarness();

        Assert.Equal(expected, (string?)harness.Get<IScriptExpressionEvaluator>().Evaluate(expression, new JsonObject()));
    }

    [Fact]
    public async Task A_block_that_builds_a_huge_string_in_one_call_ends_with_the_memory_limit()
    {
        using var harness = new BlockRunnerHarness();

        var result = await harness.RunCodeAsync("const s = 'x'.padEnd(4e8, 'yz'); return { length: s.length };");

        Assert.Equal(BlockErrorCodes.MemoryExceeded, result.Failure?.Code);
    }
}
