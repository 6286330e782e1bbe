namespace ViaSocket.Grains.Events;

/// <summary>Delays between webhook delivery attempts: exponential, capped, with symmetric jitter.</summary>
public static class WebhookBackoff
{
    /// <summary>
    /// The delay before the next attempt after <paramref name="failedAttempts"/> failures:
    /// <c>min(MaxDelay, InitialDelay × BackoffFactor^(failedAttempts − 1))</c>, moved by up to ±<c>JitterRatio</c>.
    /// </summary>
    /// <param name="failedAttempts">How many attempts have failed so far (1 after the first).</param>
    /// <param name="jitter">A random number in [0, 1); 0.5 gives the nominal delay.</param>
    public static TimeSpan Delay(int failedAttempts, double jitter, WebhookDeliveryOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failedAttempts, 1);
        ArgumentNullException.ThrowIfNull(options);
        if (jitter is < 0 or >= 1 || double.IsNaN(jitter))
        {
            throw new ArgumentOutOfRangeException(nameof(jitter), jitter, "Jitter must be in [0, 1).");
        }

        var nominalTicks = Math.Min(
            options.MaxDelay.Ticks,
            options.InitialDelay.Ticks * Math.Pow(options.BackoffFactor, failedAttempts - 1));
        var factor = 1 + options.JitterRatio * (2 * jitter - 1);
        return TimeSpan.FromTicks((long)(nominalTicks * factor));
    }
}
