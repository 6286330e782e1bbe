using System.Diagnostics;

namespace ViaSocket.LoadTests;

/// <summary>
/// Latencies of one worker, in <see cref="Stopwatch"/> ticks. Workers keep their own sample (no contention); the
/// samples are merged and sorted once at the end, which gives exact percentiles at these volumes.
/// </summary>
internal sealed class LatencySample
{
    private long[] ticks = new long[4096];

    public int Count { get; private set; }

    public void Add(long elapsedTicks)
    {
        if (Count == ticks.Length)
        {
            Array.Resize(ref ticks, ticks.Length * 2);
        }

        ticks[Count++] = elapsedTicks;
    }

    /// <summary>All latencies of <paramref name="samples"/>, sorted ascending, in ticks.</summary>
    public static long[] MergeSorted(IEnumerable<LatencySample> samples)
    {
        var all = samples.SelectMany(s => s.ticks.Take(s.Count)).ToArray();
        Array.Sort(all);
        return all;
    }

    /// <summary>The nearest-rank percentile of sorted ticks, in milliseconds; 0 when there is no sample.</summary>
    public static double PercentileMilliseconds(long[] sortedTicks, double percentile)
    {
        if (sortedTicks.Length == 0)
        {
            return 0;
        }

        var rank = (int)Math.Ceiling(percentile / 100 * sortedTicks.Length);
        return sortedTicks[Math.Clamp(rank, 1, sortedTicks.Length) - 1] * 1000.0 / Stopwatch.Frequency;
    }
}
