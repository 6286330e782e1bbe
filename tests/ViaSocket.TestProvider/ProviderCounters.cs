using System.Collections.Concurrent;

namespace ViaSocket.TestProvider;

/// <summary>Thread-safe tallies of what reached the server, for assertions like "exactly one refresh".</summary>
internal sealed class ProviderCounters
{
    private readonly ConcurrentQueue<RefreshGrantRecord> refreshLog = new();
    private readonly ConcurrentQueue<RefreshTokenReuseRecord> reuseLog = new();
    private int tokenRequests;
    private int authorizationCodeGrants;
    private int refreshGrants;
    private int refreshTokenReuses;
    private int graceReplays;
    private int revokeCalls;
    private int tokenRequestsInFlight;
    private int peakTokenRequestsInFlight;

    public int TokenRequests => Volatile.Read(ref tokenRequests);

    public int AuthorizationCodeGrants => Volatile.Read(ref authorizationCodeGrants);

    public int RefreshGrants => Volatile.Read(ref refreshGrants);

    public int RefreshTokenReuses => Volatile.Read(ref refreshTokenReuses);

    public int RevokeCalls => Volatile.Read(ref revokeCalls);

    public int GraceReplays => Volatile.Read(ref graceReplays);

    public IReadOnlyList<RefreshGrantRecord> RefreshLog => [.. refreshLog];

    public IReadOnlyList<RefreshTokenReuseRecord> ReuseLog => [.. reuseLog];

    public int PeakTokenRequestsInFlight => Volatile.Read(ref peakTokenRequestsInFlight);

    /// <summary>Counts a token request as in flight until the result is disposed, keeping the peak.</summary>
    public InFlightTokenRequest BeginTokenRequest()
    {
        var now = Interlocked.Increment(ref tokenRequestsInFlight);
        var peak = Volatile.Read(ref peakTokenRequestsInFlight);
        while (now > peak)
        {
            var seen = Interlocked.CompareExchange(ref peakTokenRequestsInFlight, now, peak);
            peak = seen == peak ? now : seen;
        }

        return new InFlightTokenRequest(this);
    }

    public void ResetPeakTokenRequestsInFlight() => Volatile.Write(ref peakTokenRequestsInFlight, Volatile.Read(ref tokenRequestsInFlight));

    internal readonly struct InFlightTokenRequest(ProviderCounters counters) : IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref counters.tokenRequestsInFlight);
    }

    public void CountTokenRequest() => Interlocked.Increment(ref tokenRequests);

    public void CountAuthorizationCodeGrant() => Interlocked.Increment(ref authorizationCodeGrants);

    public void CountRefreshGrant(RefreshGrantRecord record)
    {
        Interlocked.Increment(ref refreshGrants);
        refreshLog.Enqueue(record);
    }

    public void CountRefreshTokenReuse(RefreshTokenReuseRecord record)
    {
        Interlocked.Increment(ref refreshTokenReuses);
        reuseLog.Enqueue(record);
    }

    public void CountGraceReplay() => Interlocked.Increment(ref graceReplays);

    public void CountRevokeCall() => Interlocked.Increment(ref revokeCalls);
}
