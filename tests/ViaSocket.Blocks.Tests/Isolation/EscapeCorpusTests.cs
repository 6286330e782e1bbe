using System.Text.Json.Nodes;

namespace ViaSocket.Blocks.Tests.Isolation;

/// <summary>
/// The escape and denial-of-service corpus against real runner processes: each hostile block ends with its own
/// classification, and the block run after it, on the same runner process unless the hostile one ended it, sees
/// pristine intrinsics and only its own context.
/// </summary>
public sealed class EscapeCorpusTests(ProviderServer server, CorpusRunners runners) : IClassFixture<ProviderServer>, IClassFixture<CorpusRunners>
{
    public static TheoryData<string> Entries => new(EscapeCorpus.All.Select(entry => entry.Name));

    [Theory]
    [MemberData(nameof(Entries))]
    public async Task A_hostile_block_ends_with_its_error_code_and_the_next_run_is_unaffected(string entry)
    {
        var block = EscapeCorpus.Named(entry);

        var result = await runners.Pool.RunAsync(block.Code.Replace("{provider}", server.BaseUrl, StringComparison.Ordinal), limits: block.ApplyLimits);

        if (block.ErrorCode is null)
        {
            Assert.True(result.Succeeded, result.Failure?.Message);
        }
        else
        {
            Assert.True(result.Failure?.Code == block.ErrorCode, $"expected {block.ErrorCode}, got {result.Failure?.Code ?? "success"}: {result.Failure?.Message}");
            Assert.Null(result.Result);
            Assert.Contains(block.MessageFragment ?? "", result.Failure!.Message, StringComparison.Ordinal);
        }

        await runners.AssertPristineAsync();
    }

    [Fact]
    public async Task The_stash_search_finds_a_secret_hidden_in_its_own_run()
    {
        var secret = $"secret-{Guid.NewGuid():N}";

        var result = await runners.Pool.RunAsync(ContextLeakBlocks.Stash + ContextLeakBlocks.Search, new JsonObject { ["secret"] = secret });

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Contains(secret, result.Result!["haystack"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_block_cannot_reach_the_context_of_the_connection_run_before_it_on_the_same_runner()
    {
        var secret = $"secret-{Guid.NewGuid():N}";

        var stash = await runners.Pool.RunAsync(ContextLeakBlocks.Stash + "return 'stashed';", new JsonObject { ["secret"] = secret });
        var search = await runners.Pool.RunAsync(ContextLeakBlocks.Search, new JsonObject { ["connection"] = "other" });

        Assert.True(stash.Succeeded, stash.Failure?.Message);
        Assert.True(search.Succeeded, search.Failure?.Message);
        Assert.True(search.Result!["reached"]!.GetValue<int>() > 100, "the search walked almost nothing");
        Assert.DoesNotContain(secret, search.Result.ToJsonString(), StringComparison.Ordinal);
    }
}

/// <summary>The corpus's own runner pool, and what a block sees in a pristine runner before any hostile one ran.</summary>
public sealed class CorpusRunners : IAsyncLifetime
{
    // Fingerprints the intrinsics hostile blocks tamper with, and echoes the run's context.
    private const string Probe = """
        const names = (o) => Reflect.ownKeys(o).map(String).sort().join(',');
        const sources = [Object.prototype.toString, Array.prototype.map, JSON.parse, JSON.stringify, Promise.prototype.then, Promise.resolve]
            .map((f) => Function.prototype.toString.call(f));
        const enumerable = [];
        for (const key in {}) { enumerable.push(key); }
        for (const key in []) { enumerable.push(key); }
        return {
            doubled: [1, 2, 3].map((x) => x * 2),
            spread: [...[1, 2]],
            parsed: JSON.parse('{"a":1}').a,
            awaited: await Promise.resolve(7),
            text: String({}),
            enumerable,
            extensible: Object.isExtensible(Object.prototype) && Object.isExtensible(Function.prototype),
            names: [names(Object.prototype), names(Array.prototype), names(Function.prototype), names(JSON), names(Promise), names(Promise.prototype), names(Error.prototype), names(globalThis)],
            sources,
            context,
        };
        """;

    private JsonNode? _pristine;

    internal DedicatedRunnerPool Pool { get; } = new();

    public async Task InitializeAsync() => _pristine = await RunProbeAsync();

    /// <summary>A benign block succeeds and sees exactly what it saw before any hostile block ran.</summary>
    public async Task AssertPristineAsync()
    {
        var seen = await RunProbeAsync();
        Assert.Equal(_pristine!.ToJsonString(), seen.ToJsonString());
    }

    private async Task<JsonNode> RunProbeAsync()
    {
        var result = await Pool.RunAsync(Probe, new JsonObject { ["connection"] = "benign" });
        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal("benign", result.Result!["context"]!["connection"]!.GetValue<string>());
        return result.Result;
    }

    public async Task DisposeAsync() => await Pool.DisposeAsync();
}
