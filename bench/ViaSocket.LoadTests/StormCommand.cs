using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using ViaSocket.Connections;

namespace ViaSocket.LoadTests;

/// <summary>
/// <c>storm</c> (P4, then P5 on the same population): one service process with PostgreSQL persistence and the
/// loopback provider. Seeds <c>--storm-connections</c> (default 100000) connections through the grain API
/// (<c>--seed-parallelism</c> 32), shaping the provider's access-token lifetime while it seeds so that every
/// connection's refresh falls due inside one window of <c>--storm-spread</c> seconds (default 30, spread evenly)
/// that opens after seeding; tokens expire <c>--refresh-margin</c> seconds (default 60) after falling due. A timing
/// probe of <c>--probe-connections</c> (default 2% of N, 50..2000; long-lived tokens, not in the storm) predicts how
/// long seeding takes. From 5 s before the window until the storm ends, <c>--storm-readers</c> (default 4) HTTP readers
/// fetch credentials of random connections, <c>--storm-read-rate</c> reads/s in all (default 1000; paced so that they
/// take a realistic share of the CPU, not all of it), and check every answer against its expiry and the provider's view
/// of the token. The refresh limit
/// <c>ViaSocket:Refresh:MaxConcurrentPerVersion</c> is <c>--refresh-concurrency</c> (default 32). Then P5 runs at
/// <c>--memory-levels</c> (default 10000,100000; levels above N are dropped, N is used if none is left).
/// <c>--refresh-block javascript</c> refreshes with the JavaScript block equivalent to the declarative request (the
/// default, <c>declarative</c>). Prints one <see cref="StormResult"/> line.
/// </summary>
internal static class StormCommand
{
    // Tokens of the probe and of refreshes during the storm: far beyond any run, so they never fall due in it.
    private static readonly TimeSpan LongLifetime = TimeSpan.FromHours(6);

    // Time between the predicted end of seeding and the window, on top of the margin the lifetimes need.
    private static readonly TimeSpan WindowSlack = TimeSpan.FromSeconds(15);
    private const double SeedingEstimateFactor = 1.25;
    private static readonly TimeSpan ShaperInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan DrainGrace = TimeSpan.FromMinutes(3);
    private const int ViewParallelism = 64;

    public static async Task<int> RunAsync(CommandArguments args)
    {
        var count = args.Int("storm-connections", 100_000);
        var spread = args.Seconds("storm-spread", 30);
        var margin = args.Int("refresh-margin", 60);
        var limit = args.Int("refresh-concurrency", 32);
        var readers = args.Int("storm-readers", 4);
        var readRate = args.Int("storm-read-rate", 1000);
        var seedParallelism = args.Int("seed-parallelism", 32);
        var probeCount = args.Int("probe-connections", Math.Clamp(count / 50, 50, 2000));
        var memoryLevels = args.Ints("memory-levels", "10000,100000").Where(l => l <= count).DefaultIfEmpty(count).ToArray();
        var refreshBlock = args.String("refresh-block", RefreshBlocks.Declarative);
        if (refreshBlock is not (RefreshBlocks.Declarative or RefreshBlocks.JavaScript))
        {
            throw new ArgumentException($"--refresh-block is {RefreshBlocks.Declarative} or {RefreshBlocks.JavaScript}.");
        }

        var time = TimeProvider.System;

        await using var service = await BenchService.StartAsync(
            0,
            CancellationToken.None,
            new Dictionary<string, string?> { ["ViaSocket:Refresh:MaxConcurrentPerVersion"] = limit.ToString(CultureInfo.InvariantCulture) },
            margin,
            javaScriptRefresh: refreshBlock == RefreshBlocks.JavaScript);
        var provider = service.Provider;
        var seeder = new StormSeeder(service, seedParallelism);

        // Probe: how fast this machine seeds, to place the window right after the real seeding ends. Only the second
        // half is timed: the first one pays for JIT compilation and would make the wait before the window far too long.
        provider.RegisterClient(BenchConnections.Client(service.CallbackUrl, LongLifetime));
        await seeder.SeedAsync(probeCount / 2, "bench-probe-a", CancellationToken.None);
        var probeStarted = time.GetTimestamp();
        await seeder.SeedAsync(probeCount - (probeCount / 2), "bench-probe-b", CancellationToken.None);
        var probeRate = (probeCount - (probeCount / 2)) / time.GetElapsedTime(probeStarted).TotalSeconds;
        var marginSpan = TimeSpan.FromSeconds(margin);
        var windowStart = time.GetUtcNow() + (TimeSpan.FromSeconds(count / probeRate) * SeedingEstimateFactor) + marginSpan + WindowSlack;
        Progress($"probe: {probeCount:N0} connections at {probeRate:N0}/s; refresh window opens at {windowStart:HH:mm:ss} for {spread.TotalSeconds:0} s");

        // The provider reads the client's lifetime when it issues a token: while seeding, each token is issued to
        // expire at (window start + progress share of the spread + margin), so its refresh falls due in the window.
        var seedStarted = time.GetTimestamp();
        using var shaping = new CancellationTokenSource();
        var shaper = ShapeLifetimesAsync(service, seeder, count, windowStart, spread, marginSpan, time, shaping.Token);
        var seeding = seeder.SeedAsync(count, "bench-storm", CancellationToken.None);
        while (await Task.WhenAny(seeding, Task.Delay(TimeSpan.FromSeconds(10))) != seeding)
        {
            Progress($"seeding: {seeder.Completed:N0} / {count:N0}");
        }

        var ids = await seeding;
        var seedSeconds = time.GetElapsedTime(seedStarted).TotalSeconds;
        await shaping.CancelAsync();
        await shaper;
        provider.RegisterClient(BenchConnections.Client(service.CallbackUrl, LongLifetime));
        Progress($"seeded {count:N0} connections in {seedSeconds:0.0} s ({count / seedSeconds:N0}/s)");

        var grains = service.App.Services.GetRequiredService<IGrainFactory>();
        var before = await ViewsAsync(grains, ids);
        var dueTimes = before.Select(v => v.NextRefreshAt ?? DateTimeOffset.MaxValue).ToArray();
        var firstDue = dueTimes.Min();
        var lastDue = dueTimes.Max();
        var dueInWindow = dueTimes.Count(d => d >= windowStart && d <= windowStart + spread + TimeSpan.FromSeconds(1));
        Progress($"due window: {firstDue:HH:mm:ss.f} .. {lastDue:HH:mm:ss.f}; {dueInWindow:N0} of {count:N0} inside the planned window");

        // The storm: reminders fire the refreshes; readers sample credentials until every connection has refreshed.
        var refreshGrantsBefore = provider.RefreshGrants;
        var reusesBefore = provider.RefreshTokenReuseCount;
        provider.ResetPeakTokenRequestsInFlight();
        if (firstDue - TimeSpan.FromSeconds(5) - time.GetUtcNow() is { Ticks: > 0 } idle)
        {
            await Task.Delay(idle, time);
        }

        using var stopReaders = new CancellationTokenSource();
        using var sampler = new CredentialSampler(service, ids, time);
        var readerPeriod = TimeSpan.FromSeconds((double)readers / Math.Max(readRate, 1));
        var reading = Enumerable.Range(0, readers).Select(_ => sampler.RunAsync(readerPeriod, stopReaders.Token)).ToArray();
        var deadline = lastDue + marginSpan + DrainGrace;
        var cpuBefore = StormCpu.Snapshot();
        var lastProgress = time.GetTimestamp();
        while (provider.RefreshGrants - refreshGrantsBefore < count && time.GetUtcNow() < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            if (time.GetElapsedTime(lastProgress) >= TimeSpan.FromSeconds(5))
            {
                lastProgress = time.GetTimestamp();
                Progress($"storm: {provider.RefreshGrants - refreshGrantsBefore:N0} / {count:N0} refresh requests at the provider, peak {provider.PeakTokenRequestsInFlight} in flight");
            }
        }

        // The last refreshes are answered; give their grains a moment to persist before reading them back.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var cpu = StormCpu.Between(cpuBefore, StormCpu.Snapshot(), provider.RefreshGrants - refreshGrantsBefore);
        await stopReaders.CancelAsync();
        await Task.WhenAll(reading);
        var peak = provider.PeakTokenRequestsInFlight;
        var after = await ViewsAsync(grains, ids);
        var refreshLog = provider.RefreshGrantLog.Skip(refreshGrantsBefore).ToList();

        var storm = StormStatistics.From(before, after, time.GetUtcNow());
        Progress($"storm: {storm.Refreshed:N0} refreshed, {storm.RefreshesPerSecond:N0}/s, lag p50 {storm.LagSeconds.P50:0.0} s, min {storm.LagSeconds.Min:0.0} s");

        var memory = await new MemoryProbe(service.App.Services).MeasureAsync(ids, memoryLevels, ViewParallelism);

        var result = new StormResult(
            count, probeCount, probeRate, seedSeconds, seedParallelism, spread.TotalSeconds, margin, limit,
            (lastDue - firstDue).TotalSeconds, dueInWindow, (firstDue - windowStart).TotalSeconds,
            storm,
            refreshLog.Count, refreshLog.Count(r => r.StatusCode != 200), provider.RefreshTokenReuseCount - reusesBefore, peak,
            sampler.Result(readers),
            cpu,
            memory,
            refreshBlock);
        Console.Out.WriteLine(Protocol.Line(Protocol.ResultPrefix, result));
        return 0;
    }

    private static async Task ShapeLifetimesAsync(
        BenchService service, StormSeeder seeder, int count, DateTimeOffset windowStart, TimeSpan spread, TimeSpan margin, TimeProvider time, CancellationToken cancellationToken)
    {
        // Below twice the margin the service refreshes halfway through the lifetime instead (TokenExpiryCalculator),
        // which would pull the refresh out of the window; a seeding that overran its estimate lands late instead.
        var shortest = (margin * 2) + TimeSpan.FromSeconds(2);
        using var timer = new PeriodicTimer(ShaperInterval, time);
        do
        {
            var expiresAt = windowStart + (spread * ((double)seeder.Completed / count)) + margin;
            var lifetime = expiresAt - time.GetUtcNow();
            service.Provider.RegisterClient(BenchConnections.Client(service.CallbackUrl, lifetime > shortest ? lifetime : shortest));
        }
        while (await WaitAsync(timer, cancellationToken));
    }

    /// <summary>The next tick, or false once <paramref name="cancellationToken"/> is cancelled.</summary>
    public static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task<ConnectionView[]> ViewsAsync(IGrainFactory grains, IReadOnlyList<string> ids)
    {
        var views = new ConnectionView[ids.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, ids.Count),
            new ParallelOptions { MaxDegreeOfParallelism = ViewParallelism },
            async (i, _) => views[i] = await grains.GetGrain<IConnectionGrain>(GrainKeys.Connection(BenchService.WorkspaceId, ids[i])).GetAsync()
                ?? throw new InvalidOperationException("A seeded connection does not exist."));
        return views;
    }

    private static void Progress(string line) => Console.Out.WriteLine($"{TimeProvider.System.GetLocalNow():HH:mm:ss} {line}");
}
