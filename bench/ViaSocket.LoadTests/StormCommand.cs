using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
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

/// <summary>
/// Readers during the storm: GET the real credentials endpoint for random connections, as engines do, and count every
/// answer whose token had expired when it was asked for or that the provider no longer accepts when it arrives.
/// </summary>
internal sealed class CredentialSampler(BenchService service, IReadOnlyList<string> ids, TimeProvider time) : IDisposable
{
    private readonly HttpClient client = CreateClient(service);
    private long ok;
    private long errors;
    private long expiredAtRequest;
    private long rejectedByProvider;
    private string? firstError;
    private readonly List<double> answerSeconds = [];

    /// <param name="period">At most one read per period (a slow answer delays the next read, it does not queue reads).</param>
    public async Task RunAsync(TimeSpan period, CancellationToken cancellationToken)
    {
        using var pace = new PeriodicTimer(period, time);
        while (await StormCommand.WaitAsync(pace, cancellationToken))
        {
            var id = ids[Random.Shared.Next(ids.Count)];
            var askedAt = time.GetUtcNow();
            var started = time.GetTimestamp();
            try
            {
                using var response = await client.GetAsync($"/v1/connections/{id}/credentials", cancellationToken);
                lock (answerSeconds)
                {
                    answerSeconds.Add(time.GetElapsedTime(started).TotalSeconds);
                }

                if (!response.IsSuccessStatusCode)
                {
                    Failed($"HTTP {(int)response.StatusCode}");
                    continue;
                }

                using var body = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(cancellationToken));
                var token = body.RootElement.GetProperty("headers").GetProperty("Authorization").GetString()!["Bearer ".Length..];
                var expiresAt = body.RootElement.GetProperty("expiresAt").GetDateTimeOffset();
                if (expiresAt <= askedAt)
                {
                    Interlocked.Increment(ref expiredAtRequest);
                }
                else if (!service.Provider.IsAccessTokenActive(token))
                {
                    Interlocked.Increment(ref rejectedByProvider);
                }
                else
                {
                    Interlocked.Increment(ref ok);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception) when (exception is HttpRequestException or JsonException or KeyNotFoundException)
            {
                Failed(exception.GetType().Name);
            }
        }
    }

    public void Dispose() => client.Dispose();

    public ReaderResult Result(int readers)
    {
        lock (answerSeconds)
        {
            return new(readers, ok, errors, expiredAtRequest, rejectedByProvider, firstError, Percentiles.Of(answerSeconds));
        }
    }

    private void Failed(string error)
    {
        Interlocked.Increment(ref errors);
        Interlocked.CompareExchange(ref firstError, error, null);
    }

    private static HttpClient CreateClient(BenchService service)
    {
        var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, UseCookies = false }) { BaseAddress = service.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", service.ApiKey.Reveal());
        return client;
    }
}

/// <summary>Refresh timing of the storm, from each connection's view before and after it.</summary>
/// <param name="LagSeconds">Time between a connection's refresh and the expiry of the token it replaced (negative: refreshed after expiry).</param>
/// <param name="DelaySeconds">Time between a connection's refresh falling due and the refresh.</param>
/// <param name="LagHistogram">Counts of <paramref name="LagSeconds"/> in one-second bins: [lower bound s, count].</param>
/// <param name="PerSecond">Refreshes completed in each second since the first one fell due.</param>
internal sealed record StormStatistics(
    int Refreshed, int NotRefreshed, IReadOnlyDictionary<string, int> Statuses, double DrainSeconds, double RefreshesPerSecond, int PeakRefreshesPerSecond,
    int RefreshedAfterExpiry, Percentiles LagSeconds, Percentiles DelaySeconds, IReadOnlyList<double[]> LagHistogram, IReadOnlyList<int> PerSecond)
{
    public static StormStatistics From(ConnectionView[] before, ConnectionView[] after, DateTimeOffset now)
    {
        var lags = new List<double>(before.Length);
        var delays = new List<double>(before.Length);
        var refreshedAt = new List<DateTimeOffset>(before.Length);
        for (var i = 0; i < before.Length; i++)
        {
            // A refresh of this storm changed LastRefreshedAt; seeding leaves it null.
            if (after[i].LastRefreshedAt is { } at && at != before[i].LastRefreshedAt && before[i].ExpiresAt is { } expiry && before[i].NextRefreshAt is { } due)
            {
                lags.Add((expiry - at).TotalSeconds);
                delays.Add((at - due).TotalSeconds);
                refreshedAt.Add(at);
            }
        }

        var firstDue = before.Min(v => v.NextRefreshAt ?? now);
        var drain = refreshedAt.Count > 0 ? (refreshedAt.Max() - firstDue).TotalSeconds : 0;
        var perSecond = new int[refreshedAt.Count > 0 ? (int)Math.Ceiling(Math.Max(drain, 0)) + 1 : 0];
        foreach (var at in refreshedAt)
        {
            perSecond[Math.Clamp((int)(at - firstDue).TotalSeconds, 0, perSecond.Length - 1)]++;
        }

        var histogram = lags.GroupBy(l => Math.Floor(l)).OrderBy(g => g.Key).Select(g => new[] { g.Key, g.Count() }).ToList();
        return new StormStatistics(
            lags.Count,
            before.Length - lags.Count,
            after.GroupBy(v => v.Status.ToWireName()).ToDictionary(g => g.Key, g => g.Count()),
            drain,
            drain > 0 ? lags.Count / drain : 0,
            perSecond.DefaultIfEmpty(0).Max(),
            lags.Count(l => l < 0),
            Percentiles.Of(lags),
            Percentiles.Of(delays),
            histogram,
            perSecond);
    }
}

internal sealed record Percentiles(double Min, double P1, double P50, double P99, double Max)
{
    public static Percentiles Of(List<double> values)
    {
        if (values.Count == 0)
        {
            return new Percentiles(0, 0, 0, 0, 0);
        }

        values.Sort();
        double At(double p) => values[Math.Clamp((int)Math.Ceiling(p / 100 * values.Count) - 1, 0, values.Count - 1)];
        return new Percentiles(values[0], At(1), At(50), At(99), values[^1]);
    }
}

/// <param name="ExpiredAtRequest">Answers whose <c>expiresAt</c> had passed when the request was sent.</param>
/// <param name="RejectedByProvider">Answers whose token the provider did not accept (expired or revoked) when the answer arrived.</param>
/// <param name="AnswerSeconds">Time from sending a read to its response headers, errors included.</param>
internal sealed record ReaderResult(int Readers, long Ok, long Errors, long ExpiredAtRequest, long RejectedByProvider, string? FirstError, Percentiles AnswerSeconds)
{
    public long ServedAfterExpiry => ExpiredAtRequest + RejectedByProvider;
}

internal sealed record StormResult(
    int Connections,
    int ProbeConnections,
    double ProbePerSecond,
    double SeedSeconds,
    int SeedParallelism,
    double SpreadSeconds,
    int RefreshMarginSeconds,
    int RefreshConcurrencyLimit,
    double DueWindowSeconds,
    int DueInPlannedWindow,
    double WindowOpenedLateSeconds,
    StormStatistics Storm,
    int ProviderRefreshRequests,
    int ProviderRefreshFailures,
    int RefreshTokenReuses,
    int PeakProviderConcurrency,
    ReaderResult Readers,
    StormCpu Cpu,
    MemoryResult Memory,
    string RefreshBlock);

/// <summary>
/// Where the cores went while the storm drained: this process (silo, front-end, token server, readers), PostgreSQL
/// (server and backends) and the whole machine, in cores and in CPU milliseconds per refresh.
/// </summary>
internal sealed record StormCpu(double ProcessCores, double PostgresCores, double MachineCores, double ProcessMsPerRefresh, double PostgresMsPerRefresh)
{
    private const string PostgresProcessName = "postgres";

    public static (CpuSnapshot Process, TimeSpan Postgres) Snapshot() => (new CpuMeter(null).Take(), CpuMeter.CpuOfProcessesNamed(PostgresProcessName));

    public static StormCpu Between((CpuSnapshot Process, TimeSpan Postgres) start, (CpuSnapshot Process, TimeSpan Postgres) end, int refreshes)
    {
        var usage = CpuMeter.Between(start.Process, end.Process);
        var wallSeconds = (end.Process.Timestamp - start.Process.Timestamp) / (double)System.Diagnostics.Stopwatch.Frequency;
        var postgresSeconds = (end.Postgres - start.Postgres).TotalSeconds;
        var perRefresh = Math.Max(refreshes, 1);
        return new StormCpu(
            usage.SelfCores,
            postgresSeconds / wallSeconds,
            usage.MachineCores,
            usage.SelfCores * wallSeconds * 1000 / perRefresh,
            postgresSeconds * 1000 / perRefresh);
    }
}
