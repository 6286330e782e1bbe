using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using ViaSocket.Persistence;
using ViaSocket.Persistence.Connections;
using ViaSocket.Workspaces;

namespace ViaSocket.Grains.Workspaces;

/// <summary>
/// Deletes the records of UI sessions that expired without a sign-out. A record is written once, when the session
/// starts, and expires within <see cref="UiSessions.Lifetime"/> of it, so a record last written longer ago than
/// that belongs to an expired session. One chore for the cluster instead of a reminder (or a 12-hour activation)
/// per session, and it also finds the records of sessions whose silo stopped.
/// </summary>
public sealed class ExpiredUiSessionPurger(
    GrainStatePurger purger,
    IOptions<ClusterOptions> cluster,
    ConnectionDirectory directory,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<ExpiredUiSessionPurger> logger) : ExpiredStatePurgeChore(purger, cluster, directory, lifetime, time, logger)
{
    protected override string StateName => StorageNames.UiSessionState;

    /// <summary>Past the lifetime by a margin for clocks that disagree (the row's time is the database's).</summary>
    protected override TimeSpan Retention => UiSessions.Lifetime + TimeSpan.FromHours(1);

    protected override string RowsDescription => "expired UI sessions";

    protected override long LockId => 0x5649_4153_4f43_4b03; // "VIASOCK" + 3
}
