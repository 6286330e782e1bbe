using Xunit.Abstractions;

namespace ViaSocket.Blocks.Tests.Isolation;

/// <summary>Memory bombs run in runner processes: the silo's own memory does not grow with them.</summary>
[Collection(RunsAloneCollection.Name)]
public sealed class SiloMemoryTests(ProviderServer server, ITestOutputHelper output) : IClassFixture<ProviderServer>
{
    // Far above what relaying runs costs the silo, far below one bomb (the smallest allocates over 200 MB at once).
    private const long MarginBytes = 100L * 1024 * 1024;

    [Fact]
    public async Task The_corpus_memory_bombs_leave_the_silo_memory_flat()
    {
        await using var pool = new DedicatedRunnerPool();
        // Everything the silo keeps once: the runner started, the relay's client, the code paths that read a result.
        Assert.True((await pool.RunAsync($"return (await axios.get('{server.BaseUrl}/json')).data;")).Succeeded);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        using var sampler = new ProcessMemorySampler();
        foreach (var bomb in EscapeCorpus.All.Where(entry => entry.IsMemoryBomb))
        {
            var result = await pool.RunAsync(bomb.Code.Replace("{provider}", server.BaseUrl, StringComparison.Ordinal), limits: bomb.ApplyLimits);
            Assert.True(result.Failure?.Code == bomb.ErrorCode, $"{bomb.Name}: {result.Failure?.Code ?? "success"}");
        }

        sampler.Stop();

        var report = $"working set {Megabytes(sampler.BaselineWorkingSet)} -> peak {Megabytes(sampler.PeakWorkingSet)} MB, "
            + $"private {Megabytes(sampler.BaselinePrivate)} -> peak {Megabytes(sampler.PeakPrivate)} MB";
        output.WriteLine(report);
        Assert.True(sampler.PeakWorkingSet < sampler.BaselineWorkingSet + MarginBytes, report);
        Assert.True(sampler.PeakPrivate < sampler.BaselinePrivate + MarginBytes, report);
    }

    private static long Megabytes(long bytes) => bytes / (1024 * 1024);
}
