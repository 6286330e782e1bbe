namespace ViaSocket.Grains.Events;

/// <summary>How webhook deliveries are retried. The defaults spread 8 attempts over about a day.</summary>
public sealed class WebhookDeliveryOptions
{
    /// <summary>Attempts before a delivery is recorded as failed.</summary>
    /// <value>The default value is 8.</value>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>The nominal delay after the first failed attempt.</summary>
    /// <value>The default value is 90 seconds.</value>
    public TimeSpan InitialDelay { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>How much each further failure multiplies the nominal delay.</summary>
    /// <value>The default value is 3.</value>
    public double BackoffFactor { get; set; } = 3;

    /// <summary>The longest nominal delay between two attempts (before jitter).</summary>
    /// <value>The default value is 12 hours.</value>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromHours(12);

    /// <summary>How far jitter moves a delay either way, as a fraction of it, so receivers that recover are not hit by every sender at once.</summary>
    /// <value>The default value is 0.2.</value>
    public double JitterRatio { get; set; } = 0.2;

    /// <summary>How long one attempt may take; never longer than the guarded client's own timeout.</summary>
    /// <value>The default value is 10 seconds.</value>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The period of the durable reminder that re-triggers a pending delivery after a restart or deactivation; must not
    /// be below the silo's <c>ReminderOptions.MinimumReminderPeriod</c>.
    /// </summary>
    /// <value>The default value is 1 minute.</value>
    public TimeSpan ReminderPeriod { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long, after a rotation that does not name its own overlap, deliveries are signed with the previous secret
    /// too; at most <see cref="ViaSocket.Events.WebhookLimits.MaxSecretOverlap"/>.
    /// </summary>
    /// <value>The default value is 24 hours.</value>
    public TimeSpan SecretRotationOverlap { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The problem with these options, or null when they are usable.</summary>
    public string? Validate() =>
        MaxAttempts < 1 ? "MaxAttempts must be at least 1."
        : InitialDelay <= TimeSpan.Zero || MaxDelay < InitialDelay ? "InitialDelay must be positive and MaxDelay at least InitialDelay."
        : BackoffFactor < 1 ? "BackoffFactor must be at least 1."
        : JitterRatio is < 0 or > 1 ? "JitterRatio must be between 0 and 1."
        : AttemptTimeout <= TimeSpan.Zero || ReminderPeriod <= TimeSpan.Zero ? "AttemptTimeout and ReminderPeriod must be positive."
        : SecretRotationOverlap < TimeSpan.Zero || SecretRotationOverlap > ViaSocket.Events.WebhookLimits.MaxSecretOverlap ? "SecretRotationOverlap must be between zero and 7 days."
        : null;
}
