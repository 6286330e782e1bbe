using ViaSocket.Connections;

namespace ViaSocket.LoadTests;

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
