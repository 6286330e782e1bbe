using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ViaSocket.Connections;
using ViaSocket.Persistence.Connections;

namespace ViaSocket.Grains.Connections;

/// <summary>
/// Wakes connections whose refresh is overdue. Reminders are the durable trigger, but Orleans does not replay missed
/// ticks: after an outage of the whole cluster a reminder fires only on its next period, up to a minute late. One silo
/// of the cluster asks the overdue ones to refresh now: right at silo start and every <see cref="StartupInterval"/>
/// for the first <see cref="StartupWindow"/> without any grace (any overdue refresh then may be a missed tick), and
/// every <see cref="SteadyInterval"/> after that.
/// </summary>
internal sealed partial class OverdueRefreshSweeper(
    ConnectionDirectory directory,
    IGrainFactory grains,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<OverdueRefreshSweeper> logger) : ClusterChore(directory, lifetime, time, logger)
{
    private static readonly TimeSpan StartupInterval = TimeSpan.FromSeconds(5);

    // One reminder period: by its end every reminder has ticked once since the start, missed ticks included.
    private static readonly TimeSpan StartupWindow = ConnectionGrain.ReminderPeriod;

    private static readonly TimeSpan SteadyInterval = TimeSpan.FromSeconds(30);

    // Once reminders run, one a few seconds late is normal; only then is a connection considered left behind.
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);
    private const int BatchSize = 1000;
    private const int Parallelism = 32;

    protected override TimeSpan Interval => Starting ? StartupInterval : SteadyInterval;

    // The reminder service may load its table after the host started: until one period passed, an overdue refresh
    // is not a late tick but a missed one, and waiting out a grace (then the next steady run) would leave it ~30 s late.
    private bool Starting => StartedAt is not { } started || Time.GetUtcNow() - started < StartupWindow;

    protected override long LockId => 0x5649_4153_4f43_4b01; // "VIASOCK" + 1

    public override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var overdue = await Directory.ListOverdueRefreshesAsync(Time.GetUtcNow() - (Starting ? TimeSpan.Zero : Grace), BatchSize, cancellationToken);
        if (overdue.Count == 0)
        {
            return;
        }

        LogWaking(Logger, overdue.Count);
        var unreached = 0;
        await Parallel.ForEachAsync(
            overdue,
            new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (connection, token) =>
            {
                // An unreached connection is listed again at the next run; the rest of the batch goes on.
                var connectionGrain = grains.GetGrain<IConnectionGrain>(GrainKeys.Connection(connection.WorkspaceId, connection.ConnectionId));
                if (!await WakeUpCall.ReachedAsync(connectionGrain.WakeAsync, token))
                {
                    Interlocked.Increment(ref unreached);
                }
            });

        if (unreached > 0)
        {
            LogUnreached(Logger, unreached, overdue.Count);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Waking {Count} connections whose refresh is overdue")]
    private static partial void LogWaking(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Unreached} of {Count} overdue connections could not be woken; they are listed again at the next run")]
    private static partial void LogUnreached(ILogger logger, int unreached, int count);
}
