using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using ViaSocket.Persistence;
using ViaSocket.Persistence.Connections;

namespace ViaSocket.Grains;

/// <summary>
/// An hourly cluster chore that deletes the grain-state rows of one state name last written longer than
/// <see cref="Retention"/> ago: records that outlived their use and that no activation will ever clear.
/// </summary>
public abstract partial class ExpiredStatePurgeChore(
    GrainStatePurger purger,
    IOptions<ClusterOptions> cluster,
    ConnectionDirectory directory,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger logger) : ClusterChore(directory, lifetime, time, logger)
{
    private const int BatchSize = 1000;

    protected override TimeSpan Interval => TimeSpan.FromHours(1);

    /// <summary>The grain storage state name whose rows are purged.</summary>
    protected abstract string StateName { get; }

    /// <summary>How long after its last write a row is kept.</summary>
    protected abstract TimeSpan Retention { get; }

    /// <summary>What the rows are, for the log line (e.g. <c>expired UI sessions</c>).</summary>
    protected abstract string RowsDescription { get; }

    public override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var purged = await purger.PurgeAsync(cluster.Value.ServiceId, StateName, Time.GetUtcNow() - Retention, BatchSize, cancellationToken);
        if (purged > 0)
        {
            LogPurged(Logger, purged, RowsDescription);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} {Rows}")]
    private static partial void LogPurged(ILogger logger, int count, string rows);
}
