using System.Diagnostics;

namespace ViaSocket.LoadTests;

/// <summary>One operation of a worker: returns null on success, or a short description of the failure (no secrets).</summary>
internal delegate ValueTask<string?> Operation(CancellationToken cancellationToken);

/// <summary>
/// A closed-loop load: <c>concurrency</c> workers each run their operation back to back for the warm-up and then the
/// measured window. Only operations that complete inside the window count; their latencies give the percentiles.
/// </summary>
internal static class ClosedLoop
{
    // Operations still running when the window closes get this long to finish before they are cancelled.
    private static readonly TimeSpan DrainGrace = TimeSpan.FromSeconds(10);

    /// <param name="createWorker">Makes the operation of worker <c>i</c> (per-worker buffers, round-robin offsets).</param>
    public static async Task<Measurement> RunAsync(
        string label, int concurrency, TimeSpan warmup, TimeSpan duration, Func<int, Operation> createWorker, CpuMeter cpu)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        var windowStart = Stopwatch.GetTimestamp() + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        var windowEnd = windowStart + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        using var deadline = new CancellationTokenSource(warmup + duration + DrainGrace);

        var workers = Enumerable.Range(0, concurrency)
            .Select(i => new Worker(createWorker(i)))
            .ToArray();
        var running = workers.Select(w => Task.Run(() => w.RunAsync(windowStart, windowEnd, deadline.Token))).ToArray();

        await Task.Delay(warmup);
        var cpuStart = cpu.Take();
        await Task.Delay(duration);
        var cpuEnd = cpu.Take();
        await Task.WhenAll(running);

        var latencies = LatencySample.MergeSorted(workers.Select(w => w.Latencies));
        var seconds = duration.TotalSeconds;
        return new Measurement(
            label,
            concurrency,
            latencies.Length,
            workers.Sum(w => w.Errors),
            seconds,
            latencies.Length / seconds,
            LatencySample.PercentileMilliseconds(latencies, 50),
            LatencySample.PercentileMilliseconds(latencies, 99),
            workers.Select(w => w.FirstError).FirstOrDefault(e => e is not null),
            CpuMeter.Between(cpuStart, cpuEnd));
    }

    private sealed class Worker(Operation operation)
    {
        public LatencySample Latencies { get; } = new();

        public long Errors { get; private set; }

        public string? FirstError { get; private set; }

        public async Task RunAsync(long windowStart, long windowEnd, CancellationToken cancellationToken)
        {
            while (Stopwatch.GetTimestamp() is var started && started < windowEnd)
            {
                string? error;
                try
                {
                    error = await operation(cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception exception)
                {
                    error = exception.GetType().Name;
                }

                var completed = Stopwatch.GetTimestamp();
                if (completed < windowStart || completed >= windowEnd)
                {
                    continue;
                }

                if (error is null)
                {
                    Latencies.Add(completed - started);
                }
                else
                {
                    Errors++;
                    FirstError ??= error;
                }
            }
        }
    }
}

/// <summary>The result of one closed-loop run; <see cref="PerSecond"/> counts successful operations only.</summary>
internal sealed record Measurement(
    string Label,
    int Concurrency,
    long Operations,
    long Errors,
    double Seconds,
    double PerSecond,
    double P50Milliseconds,
    double P99Milliseconds,
    string? FirstError,
    CpuUsage Cpu)
{
    /// <summary>
    /// Two runs of one target as one: rate and CPU weighted by each run's time, and the worse of the two
    /// percentiles (the latency samples themselves are not kept).
    /// </summary>
    public Measurement CombinedWith(Measurement other)
    {
        var seconds = Seconds + other.Seconds;
        double Weighted(double mine, double theirs) => ((mine * Seconds) + (theirs * other.Seconds)) / seconds;
        return this with
        {
            Operations = Operations + other.Operations,
            Errors = Errors + other.Errors,
            Seconds = seconds,
            PerSecond = Weighted(PerSecond, other.PerSecond),
            P50Milliseconds = Math.Max(P50Milliseconds, other.P50Milliseconds),
            P99Milliseconds = Math.Max(P99Milliseconds, other.P99Milliseconds),
            FirstError = FirstError ?? other.FirstError,
            Cpu = new CpuUsage(
                Weighted(Cpu.SelfCores, other.Cpu.SelfCores),
                Cpu.ServerCores is { } mine && other.Cpu.ServerCores is { } theirs ? Weighted(mine, theirs) : null,
                Weighted(Cpu.MachineCores, other.Cpu.MachineCores)),
        };
    }
}
