namespace ViaSocket.Domain.Connections;

/// <summary>What to do about a refresh that was sent and whose answer was never stored.</summary>
public enum InterruptedRefreshVerdict
{
    /// <summary>No refresh was interrupted, or the version declares no reuse grace: refresh as usual with the stored token.</summary>
    None,
    /// <summary>Inside the provider's reuse grace: the stored (possibly retired) refresh token still works once more; replay it now.</summary>
    Replay,
    /// <summary>The grace is over (or there is none): the provider may have rotated the token and the new one is lost.</summary>
    GraceOver,
}

/// <summary>
/// The provider's refresh-token reuse grace: after rotating, some providers accept the previous refresh token for a
/// while (Okta 30 s, Atlassian 10 min, Xero 30 min), so a client that lost the answer can ask again.
/// </summary>
public static class ReuseGrace
{
    /// <summary>An hour: longer than any provider's grace we know of.</summary>
    public const int MaxGraceSeconds = 3600;

    /// <param name="interruptedAt">When the unanswered refresh was sent (at the latest: the grace runs from the provider's rotation, after it).</param>
    /// <param name="graceSeconds">The version's declared grace; null when undeclared.</param>
    public static InterruptedRefreshVerdict Judge(DateTimeOffset? interruptedAt, int? graceSeconds, DateTimeOffset now) =>
        interruptedAt is not { } sentAt || graceSeconds is not { } grace ? InterruptedRefreshVerdict.None
        : now < sentAt + TimeSpan.FromSeconds(grace) ? InterruptedRefreshVerdict.Replay
        : InterruptedRefreshVerdict.GraceOver;
}
