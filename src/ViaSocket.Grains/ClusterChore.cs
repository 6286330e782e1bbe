using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ViaSocket.Persistence.Connections;

namespace ViaSocket.Grains;

/// <summary>
/// Cluster-wide housekeeping that one silo runs at a time (an advisory lock in PostgreSQL decides), once the silo has
/// started and then every <see cref="Interval"/> (read again after each run, so a chore may vary it). A failed run is
/// logged and retried at the next interval.
/// </summary>
public abstract partial class ClusterChore(ConnectionDirectory directory, IHostApplicationLifetime lifetime, TimeProvider time, ILogger logger) : BackgroundService
{
    protected ConnectionDirectory Directory => directory;

    protected TimeProvider Time => time;

    protected ILogger Logger => logger;

    protected abstract TimeSpan Interval { get; }

    /// <summary>When the host started and the chore's first run began (by <see cref="Time"/>); null before.</summary>
    protected DateTimeOffset? StartedAt { get; private set; }

    /// <summary>The PostgreSQL advisory lock that keeps two silos from running this chore at once.</summary>
    protected abstract long LockId { get; }

    public abstract Task RunOnceAsync(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Chores may call grains, which needs the silo to be running: it is once the host has started.
        await WhenStartedAsync(stoppingToken);
        StartedAt = time.GetUtcNow();
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                await directory.RunExclusiveAsync(LockId, RunOnceAsync, stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // Only the host stopping ends the loop. A grain call that expired unplaced on a busy silo also throws
                // OperationCanceledException, and escaping here would fail the BackgroundService and stop the silo.
                LogChoreFailed(logger, GetType().Name, exception.GetType().Name);
            }

            // Setting the period restarts the timer, so only a changed one is set.
            if (timer.Period != Interval)
            {
                timer.Period = Interval;
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private Task WhenStartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        return started.Task.WaitAsync(stoppingToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Chore} failed ({ErrorType}); retrying at the next interval")]
    private static partial void LogChoreFailed(ILogger logger, string chore, string errorType);
}
