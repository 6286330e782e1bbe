namespace ViaSocket.Domain.Connections;

/// <summary>
/// How long to wait before retrying a transiently failed refresh: exponential from <see cref="BaseDelay"/>, capped at
/// <see cref="MaxDelay"/>, with jitter so a provider outage does not end in a synchronized stampede, and never sooner
/// than the provider's Retry-After.
/// </summary>
public static class RefreshBackoff
{
    public static readonly TimeSpan BaseDelay = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(10);

    /// <param name="failures">Consecutive failures so far, at least 1.</param>
    /// <param name="retryAfter">The provider's Retry-After, if any.</param>
    /// <param name="random">Uniform in [0, 1): injected so tests are deterministic.</param>
    public static TimeSpan Delay(int failures, TimeSpan? retryAfter, Func<double> random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var exponent = Math.Clamp(failures - 1, 0, 20);
        var ceiling = Math.Min(BaseDelay.TotalSeconds * Math.Pow(2, exponent), MaxDelay.TotalSeconds);

        // "Equal jitter": at least half the exponential delay, so retries still spread out but never bunch at zero.
        var delay = TimeSpan.FromSeconds((ceiling / 2) + (random() * ceiling / 2));
        return retryAfter is { } providerDelay && providerDelay > delay ? providerDelay : delay;
    }
}
