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
public sealed class AbandonedAuthorizationPurger(
    GrainStatePurger purger,
    IOptions<ClusterOptions> cluster,
    ConnectionDirectory directory,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<AbandonedAuthorizationPurger> logger) : ExpiredStatePurgeChore(purger, cluster, directory, lifetime, time, logger)
{
    protected override string StateName => StorageNames.PendingAuthorizationState;

    /// <summary>
    /// Far beyond a state's 10-minute lifetime and any idle activation's life, so no live activation ever finds its
    /// row gone; a callback this late is refused as unknown, as it would be refused as expired.
    /// </summary>
    protected override TimeSpan Retention => TimeSpan.FromDays(1);

    protected override string RowsDescription => "expired pending authorizations";

    protected override long LockId => 0x5649_4153_4f43_4b02; // "VIASOCK" + 2
}
