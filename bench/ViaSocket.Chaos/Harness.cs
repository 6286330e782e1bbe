using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using ViaSocket.LoadTests;
using ViaSocket.Server.Security;
using ViaSocket.Testing.Postgres;
using ViaSocket.TestProvider;

namespace ViaSocket.Chaos;

/// <summary>Something done to the cluster or the provider during the run, at a second of the run.</summary>
internal sealed record RunEvent(double Second, string What);

/// <summary>A connection that was usable before the run and is not after it.</summary>
internal sealed record LostConnection(string ConnectionId, string Reason);

/// <summary>What the closing check found: the directory listing and a credential read of every connection.</summary>
/// <param name="NeededRetries">Connections whose credentials were read only at a second or third attempt.</param>
/// <param name="Checked">Connections read; fewer than the run's when the check hit its time limit.</param>
internal sealed record FinalCheck(IReadOnlyDictionary<string, int> StatusCounts, IReadOnlyList<LostConnection> Lost, int NeededRetries, int Checked, TimeSpan Duration);

/// <summary>Everything a report needs from one run.</summary>
internal sealed record RunOutcome(
    RunSettings Settings,
    TimeSpan CreationTime,
    TimeSpan ShortTokenSwitchTime,
    double ReadersSeconds,
    ReaderTallies Readers,
    long[] SortedLatencyTicks,
    IReadOnlyList<DirectorySample> Samples,
    IReadOnlyList<RunEvent> Events,
    IReadOnlyList<RefreshGrantRecord> Refreshes,
    IReadOnlyList<RefreshTokenReuseRecord> Reuses,
    IReadOnlyList<SiloKill> Kills,
    SiloScrapes Scrapes,
    PauseProbe Pauses,
    int ActiveGrants,
    double? HealthySecond,
    double DisruptionEndSecond,
    double FinalCheckStartSecond,
    FinalCheck Final);

/// <summary>
/// One run, start to end: throwaway PostgreSQL, loopback provider with short-lived rotating tokens, the cluster
/// (<c>scripts/cluster.sh</c>), connections, readers and the directory monitor, the disruption of the mode, a settle
/// period, the final check. The cluster is stopped on every path out, including Ctrl+C and SIGTERM.
/// </summary>
internal static class Harness
{
    public const string WorkspaceId = "default";

    private const int SwitchParallelism = 16;

    /// <summary>The lifetime of the tokens the provider issues while the connections are created.</summary>
    public static readonly TimeSpan CreationTokenLifetime = TimeSpan.FromHours(2);

    // The service's outbound time-out (ViaSocket:Outbound:Timeout default); the provider's time-out phase outlasts it.
    private static readonly TimeSpan ServiceOutboundTimeout = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan KillArmedAhead = TimeSpan.FromSeconds(3);

    // The service answers an on-demand refresh this soon after another with the token it just got (FreshTokenWindow).
    private static readonly TimeSpan FreshTokenWindow = TimeSpan.FromSeconds(6);

    public static async Task<RunOutcome> RunAsync(RunSettings settings, string repository, CancellationToken cancellationToken)
    {
        var time = TimeProvider.System;
        Console.Out.WriteLine($"Starting PostgreSQL, the provider and {settings.Silos} silos + front-end...");
        var connectionString = await new PostgresFixture().CreateDatabaseAsync(cancellationToken);
        await using var provider = await TestAuthorizationServer.StartAsync();
        var key = ApiKey.Generate();
        var apiKey = key.Reveal();
        await using var cluster = await LocalCluster.StartAsync(repository, settings.Silos, ClusterEnvironment(settings, connectionString, apiKey), cancellationToken);
        // Users connect while the provider issues long-lived tokens: with the run's short ones, every connection made
        // would refresh every few seconds while the rest are still being made, and making 10,000 took half an hour.
        var callbackUrl = new Uri(cluster.FrontEnd.BaseAddress, "/oauth/callback");
        provider.RegisterClient(BenchConnections.Client(callbackUrl, CreationTokenLifetime));

        var connections = new BenchConnections(cluster.FrontEnd.BaseAddress, key, provider);
        Console.Out.WriteLine($"Connecting {settings.Connections} users ({settings.CreateParallelism} at a time)...");
        var creation = Stopwatch.StartNew();
        var ids = await connections.CreateAsync(
            settings.Connections, settings.CreateParallelism, cancellationToken, done => Console.Out.WriteLine($"  {done} / {settings.Connections} connections"));
        creation.Stop();
        Console.Out.WriteLine($"  {ids.Count} connections in {creation.Elapsed.TotalSeconds:0} s");

        // Then every connection takes a token of the run's lifetime. The switch takes longer than half that lifetime,
        // so the refreshes that follow are spread over it rather than in step.
        provider.RegisterClient(BenchConnections.Client(callbackUrl, settings.TokenLifetime));
        await Task.Delay(FreshTokenWindow, cancellationToken);
        var switching = Stopwatch.StartNew();
        await connections.RefreshAsync(ids, SwitchParallelism, cancellationToken);
        switching.Stop();
        Console.Out.WriteLine($"  moved onto {settings.TokenLifetime.TotalSeconds:0}-s tokens in {switching.Elapsed.TotalSeconds:0} s");

        var runStart = Stopwatch.GetTimestamp();
        var monitor = new DirectoryMonitor(connectionString, WorkspaceId, BenchConnections.PluginId);
        using var stopMonitor = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var monitoring = monitor.RunAsync(runStart, stopMonitor.Token);

        var timelineSeconds = (int)(settings.Warmup + settings.Duration + settings.OutageLength + settings.Settle).TotalSeconds + 120;
        var tallies = new ReaderTallies(timelineSeconds);
        var readers = new CredentialReaders(cluster.FrontEnd.BaseAddress, apiKey, ids, provider, time);
        using var stopReaders = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reading = readers.RunAsync(settings.Readers, tallies, runStart, stopReaders.Token);
        Console.Out.WriteLine($"{settings.Readers} readers running.");

        var events = new List<RunEvent>();
        var kills = new List<SiloKill>();
        // /metrics on the API listener answers operator keys only; the bootstrap key is one.
        using var scraper = new HttpClient { DefaultRequestHeaders = { Authorization = new("Bearer", apiKey) } };
        var scrapes = new SiloScrapes(scraper, cluster.Silos);
        using var stopScraping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var scraping = scrapes.RunAsync(stopScraping.Token);
        var pauses = new PauseProbe();
        var probing = pauses.RunAsync(stopScraping.Token);
        double? healthySecond;
        double disruptionEnd;
        double readersEnd;
        try
        {
            if (settings.Mode == RunSettings.ChaosMode)
            {
                await KillSilosAsync(settings, cluster, scrapes, kills, events, runStart, cancellationToken);
                disruptionEnd = readersEnd = Second(runStart);
                await stopReaders.CancelAsync();
                healthySecond = await WaitHealthyAsync(monitor, ids.Count, runStart, settings.Settle, cancellationToken);
            }
            else
            {
                await ProviderOutageAsync(settings, provider, events, runStart, cancellationToken);
                disruptionEnd = Second(runStart);

                // Readers keep going: recovery is measured under the same load as the outage.
                healthySecond = await WaitHealthyAsync(monitor, ids.Count, runStart, settings.Settle, cancellationToken);
                readersEnd = Second(runStart);
                await stopReaders.CancelAsync();
            }
        }
        finally
        {
            await stopReaders.CancelAsync();
            await reading;
        }

        await stopScraping.CancelAsync();
        await Task.WhenAll(scraping, probing);
        await scrapes.EndAsync(cancellationToken);

        var finalCheckStart = Second(runStart);
        Console.Out.WriteLine("Checking every connection...");
        var final = await CheckConnectionsAsync(connections, ids, provider, settings.FinalCheckLimit, cancellationToken);
        await stopMonitor.CancelAsync();
        await monitoring;

        return new RunOutcome(
            settings, creation.Elapsed, switching.Elapsed, readersEnd, tallies, readers.SortedLatencyTicks, monitor.Samples, events,
            provider.RefreshGrantLog, provider.RefreshTokenReuseLog, kills, scrapes, pauses, provider.ActiveGrantCount, healthySecond, disruptionEnd, finalCheckStart, final);
    }

    /// <summary>Settings of every cluster process, on top of what <c>cluster.sh</c> sets per process.</summary>
    private static Dictionary<string, string> ClusterEnvironment(RunSettings settings, string connectionString, string apiKey) => new()
    {
        // The throwaway server takes 200 connections; Npgsql's default pool of 100 per process would let four
        // processes exhaust it under load (53300 too_many_connections), as any operator sizing pools would avoid.
        ["ViaSocket__Database__ConnectionString"] = new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = settings.PoolSize }.ConnectionString,
        ["ViaSocket__Refresh__MaxConcurrentPerVersion"] = settings.RefreshConcurrency.ToString(CultureInfo.InvariantCulture),
        ["ViaSocket__Cluster__ClusterId"] = $"chaos-{Environment.ProcessId}",
        ["ViaSocket__Bootstrap__ApiKey"] = apiKey,
        ["ViaSocket__Bootstrap__AllowedReturnUrlHosts__0"] = BenchConnections.ReturnUrl.Host,
        ["ViaSocket__Outbound__AllowLoopback"] = "true",

        // Thousands of users connect from one address within a minute.
        ["ViaSocket__RateLimits__CallbacksPerMinutePerIp"] = "1000000",
        ["ViaSocket__RateLimits__ConnectionStartsPerMinute"] = "1000000",
        ["Logging__LogLevel__Default"] = "Warning",
    };

    /// <summary>
    /// <c>kill -9</c> of a random silo every <c>KillEvery</c>, restarted <c>RestartAfter</c> later, until <c>Duration</c>.
    /// The kill is timed by <c>cluster.sh</c>, armed a few seconds ahead, not by this process: the provider runs here
    /// too, and a kill sent by this process would come when it gets to run, which is also when the provider answers.
    /// </summary>
    private static async Task KillSilosAsync(
        RunSettings settings, LocalCluster cluster, SiloScrapes scrapes, List<SiloKill> kills, List<RunEvent> events, long runStart, CancellationToken cancellationToken)
    {
        var random = new Random(settings.Seed);
        var runStartWallClock = DateTimeOffset.UtcNow - Stopwatch.GetElapsedTime(runStart);
        for (var at = settings.KillEvery; at < settings.Duration; at += settings.KillEvery)
        {
            await DelayUntilAsync(runStart, at - KillArmedAhead, cancellationToken);
            var victim = cluster.Silos[random.Next(cluster.Silos.Count)];
            var killedAt = await cluster.KillAsync(victim, runStartWallClock + at, cancellationToken);
            scrapes.Killed(victim);
            kills.Add(new SiloKill((killedAt - runStartWallClock).TotalSeconds, killedAt, victim.Name));
            Note(events, runStart, $"kill -9 {victim.Name}");
            await Task.Delay(settings.RestartAfter, cancellationToken);
            Note(events, runStart, $"restart {victim.Name}");
            await cluster.RestartAsync(victim, cancellationToken);
            Note(events, runStart, $"{victim.Name} ready");
        }

        await DelayUntilAsync(runStart, settings.Duration, cancellationToken);
    }

    /// <summary>After the warm-up, the token endpoint answers 503, then stalls past the service's time-out, then answers 429, one phase each.</summary>
    private static async Task ProviderOutageAsync(RunSettings settings, TestAuthorizationServer provider, List<RunEvent> events, long runStart, CancellationToken cancellationToken)
    {
        var at = settings.Warmup;
        await DelayUntilAsync(runStart, at, cancellationToken);
        try
        {
            provider.TokenEndpointOutage = 503;
            Note(events, runStart, "token endpoint: 503 to every request");
            await DelayUntilAsync(runStart, at += settings.OutagePhase, cancellationToken);

            provider.TokenEndpointOutage = null;
            provider.TokenEndpointDelay = ServiceOutboundTimeout + TimeSpan.FromSeconds(5);
            Note(events, runStart, $"token endpoint: no answer for {provider.TokenEndpointDelay.TotalSeconds:0} s (time-out)");
            await DelayUntilAsync(runStart, at += settings.OutagePhase, cancellationToken);

            provider.TokenEndpointDelay = TimeSpan.Zero;
            provider.TokenEndpointOutage = 429;
            Note(events, runStart, "token endpoint: 429 to every request");
            await DelayUntilAsync(runStart, at + settings.OutagePhase, cancellationToken);
        }
        finally
        {
            provider.TokenEndpointOutage = null;
            provider.TokenEndpointDelay = TimeSpan.Zero;
        }

        Note(events, runStart, "token endpoint healthy again");
    }

    /// <summary>The first second at which every connection is active with an unexpired token, or null if that did not happen within <paramref name="limit"/>.</summary>
    private static async Task<double?> WaitHealthyAsync(DirectoryMonitor monitor, int expected, long runStart, TimeSpan limit, CancellationToken cancellationToken)
    {
        var from = Second(runStart);
        var deadline = from + limit.TotalSeconds;
        Console.Out.WriteLine($"Waiting up to {limit.TotalSeconds:0} s for every connection to be active with a valid token...");
        var nextProgress = from + 30;
        while (Second(runStart) < deadline)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            if (monitor.Samples.LastOrDefault(s => s.Second >= from) is not { } sample)
            {
                continue;
            }

            if (sample.IsHealthy(expected))
            {
                Console.Out.WriteLine($"  healthy at {sample.Second:0} s");
                return sample.Second;
            }

            // A run that never gets healthy (and whose final check may then not finish) still shows where it stood.
            if (sample.Second >= nextProgress)
            {
                nextProgress += 30;
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  [{sample.Second,6:0.0} s] active {sample.Active:N0}, degraded {sample.Degraded:N0}, reauth_required {sample.ReauthRequired:N0}, holding an expired token {sample.Expired:N0}, most overdue refresh {sample.MaxOverdueSeconds:0} s"));
            }
        }

        Console.Out.WriteLine("  not healthy within the limit");
        return null;
    }

    /// <summary>
    /// Lost: a connection that served credentials before the run but is not listed afterwards, or whose credentials
    /// cannot be read (three attempts), or whose token the provider refuses. Connections still unread when
    /// <paramref name="limit"/> has passed are left unchecked, neither lost nor kept.
    /// </summary>
    private static async Task<FinalCheck> CheckConnectionsAsync(
        BenchConnections connections, IReadOnlyList<string> ids, TestAuthorizationServer provider, TimeSpan limit, CancellationToken cancellationToken)
    {
        using var api = connections.Api();
        var listed = new Dictionary<string, string>(StringComparer.Ordinal);
        string? after = null;
        do
        {
            var query = $"/v1/connections?pluginId={BenchConnections.PluginId}&limit=500" + (after is null ? string.Empty : $"&after={after}");
            using var page = await api.GetAsync(query, cancellationToken);
            await BenchConnections.EnsureAsync(page, "listing connections", cancellationToken);
            var body = JsonNode.Parse(await page.Content.ReadAsStringAsync(cancellationToken))!;
            foreach (var item in body["items"]!.AsArray())
            {
                listed[(string)item!["connectionId"]!] = (string)item["status"]!;
            }

            after = (string?)body["next"];
        }
        while (after is not null);

        var started = Stopwatch.StartNew();
        var lost = new ConcurrentBag<LostConnection>();
        var (neededRetries, checkedCount) = (0, 0);
        using var timeLimit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeLimit.CancelAfter(limit);
        try
        {
            await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = timeLimit.Token }, async (id, ct) =>
            {
                if (await CheckOneAsync(id, ct) is { } failure)
                {
                    lost.Add(failure);
                }

                Interlocked.Increment(ref checkedCount);
            });
        }
        catch (OperationCanceledException) when (timeLimit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            Console.Out.WriteLine($"  final check stopped at its limit of {limit.TotalSeconds:0} s: {ids.Count - checkedCount:N0} connections not checked");
        }

        var statusCounts = listed.Values.GroupBy(s => s, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return new FinalCheck(statusCounts, [.. lost.OrderBy(l => l.ConnectionId, StringComparer.Ordinal)], neededRetries, checkedCount, started.Elapsed);

        async Task<LostConnection?> CheckOneAsync(string id, CancellationToken ct)
        {
            if (!listed.TryGetValue(id, out var status))
            {
                return new LostConnection(id, "not listed");
            }

            var failure = "not read";
            for (var attempt = 1; attempt <= CredentialReaders.MaxAttempts; attempt++)
            {
                try
                {
                    using var response = await api.GetAsync($"/v1/connections/{id}/credentials", ct);
                    var body = await response.Content.ReadAsStringAsync(ct);
                    if (response.IsSuccessStatusCode)
                    {
                        if (attempt > 1)
                        {
                            Interlocked.Increment(ref neededRetries);
                        }

                        return BenchConnections.TokenOf(JsonNode.Parse(body)!) is { } token && provider.IsAccessTokenActive(token)
                            ? null
                            : new LostConnection(id, "credentials served, but the provider refuses the token");
                    }

                    failure = $"status {status}, credentials HTTP {(int)response.StatusCode} {BenchConnections.ProblemCode(body)}";
                }
                catch (HttpRequestException exception)
                {
                    failure = $"status {status}, transport: {exception.HttpRequestError}";
                }
                catch (TaskCanceledException) when (!ct.IsCancellationRequested)
                {
                    failure = $"status {status}, no answer within {api.Timeout.TotalSeconds:0} s";
                }

                await Task.Delay(CredentialReaders.RetryDelay, ct);
            }

            return new LostConnection(id, failure);
        }
    }

    private static void Note(List<RunEvent> events, long runStart, string what)
    {
        var second = Second(runStart);
        events.Add(new RunEvent(second, what));
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  [{second,6:0.0} s] {what}"));
    }

    private static double Second(long runStart) => Stopwatch.GetElapsedTime(runStart).TotalSeconds;

    private static async Task DelayUntilAsync(long runStart, TimeSpan at, CancellationToken cancellationToken)
    {
        var wait = at - Stopwatch.GetElapsedTime(runStart);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, cancellationToken);
        }
    }
}
