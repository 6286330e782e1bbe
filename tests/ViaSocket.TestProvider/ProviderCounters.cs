using System.Collections.Concurrent;

namespace ViaSocket.TestProvider;

/// <summary>Thread-safe tallies of what reached the server, for assertions like "exactly one refresh".</summary>
internal sealed class ProviderCounters
{
    private readonly ConcurrentQueue<RefreshGrantRecord> refreshLog = new();
    private int tokenRequests;
    private int authorizationCodeGrants;
    private int refreshGrants;
    private int refreshTokenReuses;
    private int revokeCalls;

    public int TokenRequests => Volatile.Read(ref tokenRequests);

    public int AuthorizationCodeGrants => Volatile.Read(ref authorizationCodeGrants);

    public int RefreshGrants => Volatile.Read(ref refreshGrants);

    public int RefreshTokenReuses => Volatile.Read(ref refreshTokenReuses);

    public int RevokeCalls => Volatile.Read(ref revokeCalls);

    public IReadOnlyList<RefreshGrantRecord> RefreshLog => [.. refreshLog];

    public void CountTokenRequest() => Interlocked.Increment(ref tokenRequests);

    public void CountAuthorizationCodeGrant() => Interlocked.Increment(ref authorizationCodeGrants);

    public void CountRefreshGrant(RefreshGrantRecord record)
    {
        Interlocked.Increment(ref refreshGrants);
        refreshLog.Enqueue(record);
    }

    public void CountRefreshTokenReuse() => Interlocked.Increment(ref refreshTokenReuses);

    public void CountRevokeCall() => Interlocked.Increment(ref revokeCalls);
}
