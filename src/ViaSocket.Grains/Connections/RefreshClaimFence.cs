using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace ViaSocket.Grains.Connections;

/// <summary>
/// Fences the refresh token before it is sent. While the cluster heals from a lost silo, two activations of one
/// connection can briefly coexist; both presenting the same refresh token to a rotating provider revokes the grant.
/// The claim is a conditional write: if another activation wrote since this one loaded, the write fails and this one
/// reloads and decides again; if a live activation holds a claim, this one serves what is stored instead.
/// </summary>
/// <param name="claimId">This activation: its silo address (whose liveness voids the claim) and activation id.</param>
internal sealed partial class RefreshClaimFence(
    IPersistentState<ConnectionState> state, IClusterMembershipService membership, SharedStrings sharedStrings, ILogger logger, string claimId)
{
    // Longer than the outbound HTTP timeout, so a live claimant has answered or given up before its claim lapses.
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(45);

    private ConnectionState S => state.State;

    /// <summary>Writes this activation's claim, unless a live one elsewhere holds it.</summary>
    public async Task<RefreshClaim> ClaimAsync(DateTimeOffset now, string workspaceId, string connectionId)
    {
        if (ClaimedElsewhere(now))
        {
            return RefreshClaim.HeldElsewhere;
        }

        (S.RefreshClaimHolder, S.RefreshClaimUntil) = (claimId, now + Lifetime);
        try
        {
            await state.WriteStateAsync();
            return RefreshClaim.Claimed;
        }
        catch (InconsistentStateException)
        {
            await state.ReadStateAsync();
            S.Loaded(sharedStrings);
            return RefreshClaim.Reloaded;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // A refresh token rotated now could not be stored: do not start one.
            Release();
            LogClaimNotStored(logger, workspaceId, connectionId, exception.GetType().Name);
            return RefreshClaim.StorageDown;
        }
    }

    /// <summary>
    /// When the refresh of the stored claim was sent, if that claim is another activation's and void (its silo died or it
    /// lapsed): that refresh never stored its outcome, so the provider may have rotated the refresh token. The claim is
    /// written just before the request goes out, so its time is at most the send time: a grace counted from it ends no later.
    /// </summary>
    public DateTimeOffset? InterruptedRefreshSentAt(DateTimeOffset now) =>
        S.RefreshClaimHolder is { } holder && holder != claimId && S.RefreshClaimUntil is { } until && !ClaimedElsewhere(now)
            ? until - Lifetime
            : null;

    /// <summary>Clears the claim in the state; the next write stores that.</summary>
    public void Release() => (S.RefreshClaimHolder, S.RefreshClaimUntil) = (null, null);

    private bool ClaimedElsewhere(DateTimeOffset now)
    {
        if (S.RefreshClaimHolder is not { } holder || holder == claimId || S.RefreshClaimUntil is not { } until || now >= until)
        {
            return false;
        }

        // A claim of a silo the cluster declared dead (or never knew) is void: that refresh will never finish.
        SiloStatus status;
        try
        {
            status = membership.CurrentSnapshot.GetSiloStatus(SiloAddress.FromParsableString(holder.Split('|')[0]));
        }
        catch (FormatException)
        {
            return false;
        }

        return status is SiloStatus.Active or SiloStatus.Joining or SiloStatus.Created or SiloStatus.ShuttingDown or SiloStatus.Stopping;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The refresh claim of connection {WorkspaceId}/{ConnectionId} could not be stored ({ErrorType}); the refresh is not started")]
    private static partial void LogClaimNotStored(ILogger logger, string workspaceId, string connectionId, string errorType);
}

/// <summary>The outcome of <see cref="RefreshClaimFence.ClaimAsync"/>.</summary>
internal enum RefreshClaim
{
    Claimed,
    /// <summary>A live activation elsewhere holds the claim: its refresh will store the new token.</summary>
    HeldElsewhere,
    /// <summary>The stored state had moved on; this activation reloaded it.</summary>
    Reloaded,
    /// <summary>The claim could not be written.</summary>
    StorageDown,
}
