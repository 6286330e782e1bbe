using System.Globalization;
using System.Runtime;
using Microsoft.Extensions.DependencyInjection;
using ViaSocket.Connections;

namespace ViaSocket.LoadTests;

/// <summary>
/// P5: memory per active idle connection. Deactivates every connection grain, measures the process, then activates
/// the connections level by level (each activation reads its state and serves credentials once, as an engine's first
/// read does) and measures again; per connection = growth since the empty measurement / connections active.
/// </summary>
internal sealed class MemoryProbe(IServiceProvider services)
{
    private const string ConnectionGrainTypeName = "ConnectionGrain";
    private const string BaselineGrainTypeName = nameof(BaselineGrain);
    private static readonly TimeSpan DeactivationTimeout = TimeSpan.FromMinutes(2);

    private readonly IGrainFactory grains = services.GetRequiredService<IGrainFactory>();

    public async Task<MemoryResult> MeasureAsync(IReadOnlyList<string> connectionIds, int[] levels, int parallelism)
    {
        var remaining = await DeactivateConnectionsAsync();
        var empty = MemorySnapshot.Take(0);
        var measured = new List<MemoryLevel>();
        var active = 0;
        foreach (var level in levels.Where(l => l <= connectionIds.Count).Order())
        {
            await Parallel.ForEachAsync(
                connectionIds.Skip(active).Take(level - active),
                new ParallelOptions { MaxDegreeOfParallelism = parallelism },
                async (id, _) =>
                {
                    var result = await grains.GetGrain<IConnectionGrain>(GrainKeys.Connection(BenchService.WorkspaceId, id)).GetCredentialsAsync();
                    if (!result.Succeeded)
                    {
                        throw new InvalidOperationException($"A connection did not serve credentials on activation: {result.Error!.Code}.");
                    }
                });
            active = level;
            measured.Add(MemoryLevel.From(level, empty, MemorySnapshot.Take(await ConnectionActivationsAsync())));
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"memory: {level:N0} active ({measured[^1].ConnectionActivations:N0} activations): {measured[^1].ManagedPerConnection:N0} B managed, {measured[^1].RssPerConnection:N0} B RSS each"));
        }

        // The same number of empty activations, under the same keys: what Orleans itself holds per activation.
        var baselineCount = measured.Count == 0 ? 0 : measured[^1].Active;
        await DeactivateConnectionsAsync();
        var baselineEmpty = MemorySnapshot.Take(0);
        await Parallel.ForEachAsync(
            connectionIds.Take(baselineCount),
            new ParallelOptions { MaxDegreeOfParallelism = parallelism },
            async (id, _) => await grains.GetGrain<IBaselineGrain>(GrainKeys.Connection(BenchService.WorkspaceId, id)).PingAsync());
        var baseline = MemoryLevel.From(baselineCount, baselineEmpty, MemorySnapshot.Take(await ActivationsAsync(BaselineGrainTypeName)));
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"memory: {baselineCount:N0} empty baseline activations: {baseline.ManagedPerConnection:N0} B managed, {baseline.RssPerConnection:N0} B RSS each"));
        return new MemoryResult(remaining, empty, measured, baseline);
    }

    /// <summary>Asks the silo to collect every idle activation and waits until no connection grain is active; returns those left.</summary>
    private async Task<int> DeactivateConnectionsAsync()
    {
        var management = grains.GetGrain<IManagementGrain>(0);
        using var timeout = new CancellationTokenSource(DeactivationTimeout);
        int left;
        do
        {
            await Task.Delay(TimeSpan.FromSeconds(2));
            await management.ForceActivationCollection(TimeSpan.FromSeconds(1));
            left = await ConnectionActivationsAsync();
        }
        while (left > 0 && !timeout.IsCancellationRequested);

        return left;
    }

    private Task<int> ConnectionActivationsAsync() => ActivationsAsync(ConnectionGrainTypeName);

    private async Task<int> ActivationsAsync(string grainTypeName)
    {
        var statistics = await grains.GetGrain<IManagementGrain>(0).GetSimpleGrainStatistics();
        return statistics.Where(s => s.GrainType.Contains(grainTypeName, StringComparison.Ordinal)).Sum(s => s.ActivationCount);
    }
}

/// <param name="ManagedBytes"><see cref="GC.GetTotalMemory(bool)"/> after a full compacting collection.</param>
/// <param name="HeapBytes">The GC heap size after that collection (<see cref="GCMemoryInfo.HeapSizeBytes"/>), fragmentation included.</param>
/// <param name="RssBytes">VmRSS of <c>/proc/self/status</c>.</param>
internal sealed record MemorySnapshot(int ConnectionActivations, long ManagedBytes, long HeapBytes, long RssBytes)
{
    public static MemorySnapshot Take(int connectionActivations)
    {
        // Twice: the first collection runs finalizers whose objects the second one frees.
        for (var i = 0; i < 2; i++)
        {
            GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        var managed = GC.GetTotalMemory(forceFullCollection: true);
        var heap = GC.GetGCMemoryInfo(GCKind.FullBlocking).HeapSizeBytes;
        return new MemorySnapshot(connectionActivations, managed, heap, ReadRssBytes());
    }

    private static long ReadRssBytes()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        var kilobytes = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        return kilobytes * 1024;
    }
}

/// <summary>Growth over the empty measurement with <paramref name="Active"/> connections active, and per connection.</summary>
internal sealed record MemoryLevel(int Active, int ConnectionActivations, long ManagedDelta, long HeapDelta, long RssDelta)
{
    public double ManagedPerConnection => (double)ManagedDelta / Active;

    public double HeapPerConnection => (double)HeapDelta / Active;

    public double RssPerConnection => (double)RssDelta / Active;

    public static MemoryLevel From(int active, MemorySnapshot empty, MemorySnapshot loaded) => new(
        active, loaded.ConnectionActivations, loaded.ManagedBytes - empty.ManagedBytes, loaded.HeapBytes - empty.HeapBytes, loaded.RssBytes - empty.RssBytes);
}

/// <param name="LeftActiveBeforeEmpty">Connection activations the silo had not collected when the empty measurement was taken (should be 0).</param>
/// <param name="Baseline">As many activations of the empty <see cref="BaselineGrain"/> as the largest level, measured the same way.</param>
internal sealed record MemoryResult(int LeftActiveBeforeEmpty, MemorySnapshot Empty, IReadOnlyList<MemoryLevel> Levels, MemoryLevel Baseline);
