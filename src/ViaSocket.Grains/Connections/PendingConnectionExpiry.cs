using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ViaSocket.Connections;
using ViaSocket.Persistence.Connections;

namespace ViaSocket.Grains.Connections;

/// <summary>
/// Deletes pending connections whose last authorization attempt ended or lapsed more than
/// <see cref="ConnectionLifetimeOptions.PendingLifetime"/> ago, at most <see cref="BatchSize"/> per run, oldest first: without
/// it, every denied or abandoned connect would leave a connection behind forever.
/// </summary>
internal sealed partial class PendingConnectionExpiry(
    ConnectionDirectory directory,
    IGrainFactory grains,
    IOptions<ConnectionLifetimeOptions> options,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<PendingConnectionExpiry> logger) : ClusterChore(directory, lifetime, time, logger)
{
    public const int BatchSize = 500;
    private const int Parallelism = 16;

    protected override TimeSpan Interval => TimeSpan.FromMinutes(5);

    internal const long ExclusiveLockId = 0x5649_4153_4f43_4b04; // "VIASOCK" + 4

    protected override long LockId => ExclusiveLockId;

    public override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        // Rows last written before the cutoff are the candidates; each grain decides by when its attempt ended or lapsed.
        var endedBefore = Time.GetUtcNow() - options.Value.PendingLifetime;
        var candidates = await Directory.ListPendingAsync(endedBefore, BatchSize, cancellationToken);
        var expired = 0;
        await Parallel.ForEachAsync(
            candidates,
            new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = cancellationToken },
            async (connection, token) =>
            {
                var connectionGrain = grains.GetGrain<IConnectionGrain>(GrainKeys.Connection(connection.WorkspaceId, connection.ConnectionId));
                var deleted = false;

                // One that cannot be reached is listed again at the next run; the rest of the batch goes on.
                await WakeUpCall.ReachedAsync(async () => deleted = await connectionGrain.ExpirePendingAsync(endedBefore), token);
                if (deleted)
                {
                    Interlocked.Increment(ref expired);
                }
            });

        if (expired > 0)
        {
            LogExpired(Logger, expired);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} pending connections whose authorization never completed")]
    private static partial void LogExpired(ILogger logger, int count);
}
