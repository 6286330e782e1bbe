using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using ViaSocket.Server.Extensions;

namespace ViaSocket.Server.Security;

/// <summary>
/// Counts failed API key authentications per client address (the connection's, never a forwarded header) over fixed
/// one-minute windows. An address past the limit gets no more grain lookups until its window ends, so guessing key ids
/// cannot activate a grain per guess.
/// </summary>
internal sealed class FailedAuthenticationLimiter(IOptions<RateLimitOptions> options) : IDisposable
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly PartitionedRateLimiter<IPAddress> failures = PartitionedRateLimiter.Create<IPAddress, IPAddress>(address =>
        RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = options.Value.FailedAuthenticationsPerMinutePerIp,
            Window = Window,
            QueueLimit = 0,
        }));

    /// <summary>How long <paramref name="client"/> must wait, when it already failed as often as allowed; otherwise null.</summary>
    public TimeSpan? RetryAfter(IPAddress? client)
    {
        // A request for zero permits consumes nothing: it only says whether any are left.
        using var lease = failures.AttemptAcquire(Partition(client), 0);
        return lease.IsAcquired ? null : lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : Window;
    }

    public void RecordFailure(IPAddress? client)
    {
        using var _ = failures.AttemptAcquire(Partition(client));
    }

    public void Dispose() => failures.Dispose();

    private static IPAddress Partition(IPAddress? client) => client ?? IPAddress.None;
}
