namespace ViaSocket.Domain.Tests;

public sealed class BoundedJsonTests
{
    [Theory]
    [InlineData("{}", 1, BoundedJsonOutcome.Parsed)]
    [InlineData("[[]]", 1, BoundedJsonOutcome.TooDeep)]
    [InlineData("[[]]", 2, BoundedJsonOutcome.Parsed)]
    [InlineData("{\"a\":[{\"b\":1}]}", 3, BoundedJsonOutcome.Parsed)]
    [InlineData("{\"a\":[{\"b\":[]}]}", 3, BoundedJsonOutcome.TooDeep)]
    [InlineData("\"text\"", 1, BoundedJsonOutcome.Parsed)]
    [InlineData("plain words", 4, BoundedJsonOutcome.NotJson)]
    [InlineData("{\"a\":1", 4, BoundedJsonOutcome.NotJson)]
    [InlineData("{} {}", 4, BoundedJsonOutcome.NotJson)]
    [InlineData("\"\\ud800\"", 4, BoundedJsonOutcome.InvalidString)]
    [InlineData("{\"\\udc00\":1}", 4, BoundedJsonOutcome.InvalidString)]
    [InlineData("\"\\ud83d\\ude00\"", 4, BoundedJsonOutcome.Parsed)]
    public void Text_is_judged_by_syntax_depth_and_strings(string text, int maxDepth, BoundedJsonOutcome expected)
    {
        var outcome = BoundedJson.TryParse(text, maxDepth, out var node);

        Assert.Equal(expected, outcome);
        Assert.Equal(expected == BoundedJsonOutcome.Parsed, node is not null);
    }

    [Fact]
    public void Nesting_far_beyond_what_the_serializer_reads_is_too_deep_not_malformed()
    {
        var deep = new string('[', 10_000) + new string(']', 10_000);

        Assert.Equal(BoundedJsonOutcome.TooDeep, BoundedJson.TryParse(deep, BoundedJson.DefaultMaxDepth, out _));
    }

    [Fact]
    public void A_parsed_value_can_be_written_back()
    {
        var text = string.Concat(Enumerable.Repeat("{\"a\":", BoundedJson.DefaultMaxDepth - 1)) + "{}" + new string('}', BoundedJson.DefaultMaxDepth - 1);

        Assert.Equal(BoundedJsonOutcome.Parsed, BoundedJson.TryParse(text, BoundedJson.DefaultMaxDepth, out var node));
        Assert.Equal(text, node!.ToJsonString());
    }
}
