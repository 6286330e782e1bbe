using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using ViaSocket.Persistence;
using ViaSocket.Persistence.Connections;

namespace ViaSocket.Grains.Connections;

/// <summary>
/// Deletes pending-authorization rows long after their state expired: consumed ones (kept a while so a replayed state
/// is refused) and abandoned ones (the user never came back), which still hold an encrypted PKCE verifier. Without
/// this, every connect attempt would leave a row behind forever.
/// </summary>
public sealed partial class AbandonedAuthorizationPurger(
    GrainStatePurger purger,
    IOptions<ClusterOptions> cluster,
    ConnectionDirectory directory,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<AbandonedAuthorizationPurger> logger) : ClusterChore(directory, lifetime, time, logger)
{
    /// <summary>
    /// Far beyond a state's 10-minute lifetime and any idle activation's life, so no live activation ever finds its
    /// row gone; a callback this late is refused as unknown, as it would be refused as expired.
    /// </summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(1);

    private const int BatchSize = 1000;

    protected override TimeSpan Interval => TimeSpan.FromHours(1);

    protected override long LockId => 0x5649_4153_4f43_4b02; // "VIASOCK" + 2

    public override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var purged = await purger.PurgeAsync(cluster.Value.ServiceId, StorageNames.PendingAuthorizationState, Time.GetUtcNow() - Retention, BatchSize, cancellationToken);
        if (purged > 0)
        {
            LogPurged(Logger, purged);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} expired pending authorizations")]
    private static partial void LogPurged(ILogger logger, int count);
}
