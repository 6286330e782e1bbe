using System.Collections.Concurrent;
using System.Diagnostics;

namespace ViaSocket.Chaos;

/// <summary>A stretch of time in which this process (and the provider it hosts) did not get to run.</summary>
/// <param name="EndedAt">Wall-clock time the probe ran again.</param>
internal sealed record ProcessPause(DateTimeOffset EndedAt, TimeSpan Length, string Kind);

/// <summary>
/// Measures how long this process stops answering: the loopback provider runs here, beside the readers, so while this
/// process is paused the silos' refresh requests queue at the provider and are answered together afterwards. One probe
/// is a dedicated thread that sleeps a few milliseconds and measures the oversleep (garbage collections, CPU
/// scheduling); the other does the same on the thread pool, where the provider's requests run (adds queueing behind the
/// readers). Pauses shorter than <see cref="Threshold"/> are not kept.
/// </summary>
internal sealed class PauseProbe
{
    public const string Thread = "thread";
    public const string ThreadPool = "thread pool";

    public static readonly TimeSpan Threshold = TimeSpan.FromMilliseconds(50);

    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(5);

    private readonly ConcurrentQueue<ProcessPause> pauses = new();
    private readonly TimeSpan gcPauseBefore = GC.GetTotalPauseDuration();
    private readonly int gen2Before = GC.CollectionCount(2);

    public IReadOnlyList<ProcessPause> Pauses => [.. pauses];

    /// <summary>Time the runtime suspended this process for garbage collections since the probe was made.</summary>
    public TimeSpan GcPause => GC.GetTotalPauseDuration() - gcPauseBefore;

    public int Gen2Collections => GC.CollectionCount(2) - gen2Before;

    public Task RunAsync(CancellationToken cancellationToken)
    {
        var onThread = Task.Factory.StartNew(
            () =>
            {
                while (!cancellationToken.IsCancellationRequested)
                {
                    var started = Stopwatch.GetTimestamp();
                    System.Threading.Thread.Sleep(Tick);
                    Keep(started, Thread);
                }
            },
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        return Task.WhenAll(onThread, OnThreadPoolAsync(cancellationToken));
    }

    private async Task OnThreadPoolAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await Task.Delay(Tick, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            Keep(started, ThreadPool);
        }
    }

    private void Keep(long started, string kind)
    {
        var late = Stopwatch.GetElapsedTime(started) - Tick;
        if (late >= Threshold)
        {
            pauses.Enqueue(new ProcessPause(DateTimeOffset.UtcNow, late, kind));
        }
    }
}
