using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ViaSocket.Connections;
using ViaSocket.Persistence.Connections;

namespace ViaSocket.Grains.Connections;

/// <summary>
/// Wakes connections whose refresh is overdue. Reminders are the durable trigger, but Orleans does not replay missed
/// ticks: after an outage of the whole cluster a reminder fires only on its next period, up to a minute late. At silo
/// start and every <see cref="Interval"/>, one silo of the cluster (an advisory lock decides) asks the overdue ones to
/// refresh now.
/// </summary>
internal sealed partial class OverdueRefreshSweeper(
    ConnectionDirectory directory,
    IGrainFactory grains,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<OverdueRefreshSweeper> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    // A reminder a few seconds late is normal; only then is a connection considered left behind.
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);
    private const int BatchSize = 1000;
    private const int Parallelism = 32;
    private const long LockId = 0x5649_4153_4f43_4b01; // "VIASOCK" + 1: one sweeper per cluster at a time.

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Grain calls need the silo to be running, which it is once the host has started.
        await WhenStartedAsync(stoppingToken);
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                await directory.RunExclusiveAsync(LockId, SweepAsync, stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogSweepFailed(logger, exception.GetType().Name);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task SweepAsync(CancellationToken cancellationToken)
    {
        var overdue = await directory.ListOverdueRefreshesAsync(time.GetUtcNow() - Grace, BatchSize, cancellationToken);
        if (overdue.Count == 0)
        {
            return;
        }

        LogWaking(logger, overdue.Count);
        await Parallel.ForEachAsync(
            overdue,
            new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (connection, _) => await grains.GetGrain<IConnectionGrain>(GrainKeys.Connection(connection.WorkspaceId, connection.ConnectionId)).WakeAsync());
    }

    private Task WhenStartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        return started.Task.WaitAsync(stoppingToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Waking {Count} connections whose refresh is overdue")]
    private static partial void LogWaking(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sweeping overdue refreshes failed ({ErrorType}); retrying at the next interval")]
    private static partial void LogSweepFailed(ILogger logger, string errorType);
}
