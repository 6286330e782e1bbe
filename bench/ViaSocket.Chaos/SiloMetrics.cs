using System.Diagnostics;
using System.Globalization;

namespace ViaSocket.Chaos;

/// <summary>
/// What one silo's Prometheus endpoint said about its refreshes' unsaved window: how many refreshes were unsaved at the
/// scrape (<c>viasocket.refresh.unsaved</c>), and since the process started, how long its successful Refresh Token
/// calls took (<c>viasocket.block.duration</c>) and how long their new tokens took to be stored
/// (<c>viasocket.refresh.store_duration</c>).
/// </summary>
internal sealed record SiloMetrics(double UnsavedRefreshes, DurationHistogram RefreshCalls, DurationHistogram Stores)
{
    private const string Unsaved = "viasocket_refresh_unsaved";
    private const string BlockDuration = "viasocket_block_duration_seconds";
    private const string StoreDuration = "viasocket_refresh_store_duration_seconds";

    private static readonly TimeSpan ScrapeTimeout = TimeSpan.FromSeconds(2);

    public static SiloMetrics None { get; } = new(0, DurationHistogram.None, DurationHistogram.None);

    /// <summary>Scrapes <paramref name="silo"/>; null if it did not answer within the time-out.</summary>
    public static async Task<(SiloMetrics? Metrics, TimeSpan Took)> ScrapeAsync(HttpClient http, ClusterMember silo, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ScrapeTimeout);
        try
        {
            var text = await http.GetStringAsync(new Uri(silo.BaseAddress, "/metrics"), timeout.Token);
            return (Parse(text), Stopwatch.GetElapsedTime(started));
        }
        catch (Exception exception) when (exception is HttpRequestException || (exception is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return (null, Stopwatch.GetElapsedTime(started));
        }
    }

    /// <summary>Reads the instruments from the text exposition format; an instrument not recorded yet reads as zero.</summary>
    public static SiloMetrics Parse(string text)
    {
        var lines = text.Split('\n').Where(line => !line.StartsWith('#') && line.Contains(' ', StringComparison.Ordinal)).ToList();
        var unsaved = lines.Where(line => IsSeries(line, Unsaved)).Sum(Value);
        var refreshCalls = DurationHistogram.Parse(lines.Where(line => line.Contains("block_kind=\"refreshToken\"", StringComparison.Ordinal) && line.Contains("outcome=\"ok\"", StringComparison.Ordinal)), BlockDuration);
        return new SiloMetrics(unsaved, refreshCalls, DurationHistogram.Parse(lines, StoreDuration));
    }

    public SiloMetrics Minus(SiloMetrics earlier) => new(UnsavedRefreshes, RefreshCalls.Minus(earlier.RefreshCalls), Stores.Minus(earlier.Stores));

    internal static bool IsSeries(string line, string name) =>
        line.StartsWith(name, StringComparison.Ordinal) && line.Length > name.Length && line[name.Length] is '{' or ' ';

    internal static double Value(string line) => double.Parse(line[(line.LastIndexOf(' ') + 1)..].Trim(), CultureInfo.InvariantCulture);

    internal static string? Label(string line, string label)
    {
        var key = label + "=\"";
        var at = line.IndexOf(key, StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        var start = at + key.Length;
        return line[start..line.IndexOf('"', start)];
    }
}

/// <summary>A cumulative histogram of durations: counts at or below each upper bound (seconds), their sum and count.</summary>
internal sealed record DurationHistogram(IReadOnlyDictionary<double, double> Cumulative, double SumSeconds, double Count)
{
    public static DurationHistogram None { get; } = new(new Dictionary<double, double>(), 0, 0);

    public double MeanMilliseconds => Count == 0 ? 0 : SumSeconds / Count * 1000;

    /// <summary>Sums the series of <paramref name="name"/> (every label set) among <paramref name="lines"/>.</summary>
    public static DurationHistogram Parse(IEnumerable<string> lines, string name)
    {
        var buckets = new Dictionary<double, double>();
        double sum = 0, count = 0;
        foreach (var line in lines)
        {
            if (SiloMetrics.IsSeries(line, name + "_bucket") && SiloMetrics.Label(line, "le") is { } le)
            {
                var bound = le == "+Inf" ? double.PositiveInfinity : double.Parse(le, CultureInfo.InvariantCulture);
                buckets[bound] = buckets.GetValueOrDefault(bound) + SiloMetrics.Value(line);
            }
            else if (SiloMetrics.IsSeries(line, name + "_sum"))
            {
                sum += SiloMetrics.Value(line);
            }
            else if (SiloMetrics.IsSeries(line, name + "_count"))
            {
                count += SiloMetrics.Value(line);
            }
        }

        return new DurationHistogram(buckets, sum, count);
    }

    public DurationHistogram Plus(DurationHistogram other) => Combine(other, 1);

    public DurationHistogram Minus(DurationHistogram other) => Combine(other, -1);

    /// <summary>The upper bound (seconds) of the bucket holding the <paramref name="percentile"/>th value; null when there were none.</summary>
    public double? UpperBoundOf(double percentile)
    {
        if (Count == 0)
        {
            return null;
        }

        var rank = percentile / 100 * Count;
        return Cumulative.OrderBy(p => p.Key).FirstOrDefault(p => p.Value >= rank).Key;
    }

    /// <summary>"N, mean X ms, p50 &lt;= a ms, p99 &lt;= b ms", or "none".</summary>
    public string Describe() => Count == 0
        ? "none"
        : string.Create(CultureInfo.InvariantCulture, $"{Count:N0}, mean {MeanMilliseconds:0.0} ms, p50 <= {UpperBoundOf(50) * 1000:0.#} ms, p99 <= {UpperBoundOf(99) * 1000:0.#} ms");

    private DurationHistogram Combine(DurationHistogram other, int sign)
    {
        var buckets = new Dictionary<double, double>(Cumulative);
        foreach (var (bound, count) in other.Cumulative)
        {
            buckets[bound] = buckets.GetValueOrDefault(bound) + (sign * count);
        }

        return new DurationHistogram(buckets, SumSeconds + (sign * other.SumSeconds), Count + (sign * other.Count));
    }
}

/// <summary>A <c>kill -9</c> by <c>cluster.sh kill-silo</c>.</summary>
/// <param name="At">Wall-clock time of the kill, comparable with the provider's times (same machine clock).</param>
internal sealed record SiloKill(double Second, DateTimeOffset At, string Silo);

/// <summary>
/// Scrapes every silo every <see cref="Interval"/> during the disruption, and once more at its end: the store and
/// refresh-call histograms of every silo process (a killed one up to its last scrape), and the most refreshes one silo
/// held unsaved at a scrape. Scraping on a fixed period, not just before the kills, keeps it from acting on the moments
/// the kills are measured at.
/// </summary>
internal sealed class SiloScrapes(HttpClient http, IReadOnlyList<ClusterMember> silos)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);

    private readonly Lock gate = new();
    private readonly Dictionary<string, SiloMetrics> countedBefore = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SiloMetrics> latest = new(StringComparer.Ordinal);

    // Kills per silo: a scrape sent before a kill and answered by the process that died is not its successor's.
    private readonly Dictionary<string, int> generations = new(StringComparer.Ordinal);
    private double unsavedSum;
    private int unsavedSamples;

    /// <summary>Successful Refresh Token calls during the disruption.</summary>
    public DurationHistogram RefreshCalls { get; private set; } = DurationHistogram.None;

    /// <summary>Stores of new tokens during the disruption.</summary>
    public DurationHistogram Stores { get; private set; } = DurationHistogram.None;

    public double MostUnsaved { get; private set; }

    /// <summary>The mean over every answered scrape of a silo: what a kill at a random moment would find unsaved.</summary>
    public double MeanUnsaved => unsavedSamples == 0 ? 0 : unsavedSum / unsavedSamples;

    /// <summary>Scrapes that got no answer (a silo being killed or restarted does not answer).</summary>
    public int MissedScrapes { get; private set; }

    /// <summary>Takes the starting point of every silo, then scrapes on the period until cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await ScrapeAllAsync(baseline: true, cancellationToken);
        try
        {
            while (true)
            {
                await Task.Delay(Interval, cancellationToken);
                await ScrapeAllAsync(baseline: false, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Counts what the killed process did up to its last scrape; the process that comes back starts from zero.</summary>
    public void Killed(ClusterMember silo)
    {
        lock (gate)
        {
            CountLatest(silo.Name);
            countedBefore[silo.Name] = SiloMetrics.None;
            generations[silo.Name] = generations.GetValueOrDefault(silo.Name) + 1;
        }
    }

    /// <summary>After <see cref="RunAsync"/> ended: a last scrape of every silo, and the totals.</summary>
    public async Task EndAsync(CancellationToken cancellationToken)
    {
        await ScrapeAllAsync(baseline: false, cancellationToken);
        lock (gate)
        {
            foreach (var silo in silos)
            {
                CountLatest(silo.Name);
            }
        }
    }

    private async Task ScrapeAllAsync(bool baseline, CancellationToken cancellationToken)
    {
        foreach (var silo in silos)
        {
            int generation;
            lock (gate)
            {
                generation = generations.GetValueOrDefault(silo.Name);
            }

            var (metrics, _) = await SiloMetrics.ScrapeAsync(http, silo, cancellationToken);
            lock (gate)
            {
                if (generation != generations.GetValueOrDefault(silo.Name))
                {
                    continue;
                }

                if (metrics is null)
                {
                    MissedScrapes++;
                    continue;
                }

                if (baseline)
                {
                    countedBefore[silo.Name] = metrics;
                    continue;
                }

                latest[silo.Name] = metrics;
                MostUnsaved = Math.Max(MostUnsaved, metrics.UnsavedRefreshes);
                (unsavedSum, unsavedSamples) = (unsavedSum + metrics.UnsavedRefreshes, unsavedSamples + 1);
            }
        }
    }

    private void CountLatest(string silo)
    {
        if (!latest.TryGetValue(silo, out var metrics))
        {
            return;
        }

        var during = metrics.Minus(countedBefore.GetValueOrDefault(silo) ?? SiloMetrics.None);
        (RefreshCalls, Stores) = (RefreshCalls.Plus(during.RefreshCalls), Stores.Plus(during.Stores));
        countedBefore[silo] = metrics;
        latest.Remove(silo);
    }
}
