using ViaSocket.Grains.Events;

namespace ViaSocket.Grains.Tests.Events;

public sealed class WebhookBackoffTests
{
    private static readonly WebhookDeliveryOptions Options = new()
    {
        InitialDelay = TimeSpan.FromSeconds(90),
        BackoffFactor = 3,
        MaxDelay = TimeSpan.FromHours(12),
        JitterRatio = 0.2,
    };

    [Theory]
    [InlineData(1, 90)]
    [InlineData(2, 270)]
    [InlineData(3, 810)]
    [InlineData(6, 21_870)]
    public void Delay_with_middle_jitter_grows_by_the_factor_per_failure(int failedAttempts, int expectedSeconds)
    {
        var delay = WebhookBackoff.Delay(failedAttempts, 0.5, Options);

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), delay);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(30)]
    [InlineData(int.MaxValue)]
    public void Delay_never_exceeds_the_maximum_before_jitter(int failedAttempts)
    {
        var delay = WebhookBackoff.Delay(failedAttempts, 0.5, Options);

        Assert.Equal(Options.MaxDelay, delay);
    }

    [Fact]
    public void Jitter_moves_the_delay_at_most_the_ratio_either_way()
    {
        var lowest = WebhookBackoff.Delay(2, 0, Options);
        var highest = WebhookBackoff.Delay(2, 0.999_999, Options);

        Assert.Equal(TimeSpan.FromSeconds(270 * 0.8), lowest);
        Assert.InRange(highest, TimeSpan.FromSeconds(270 * 1.2 - 0.01), TimeSpan.FromSeconds(270 * 1.2));
    }

    [Fact]
    public void The_default_schedule_spreads_eight_attempts_over_about_a_day()
    {
        var defaults = new WebhookDeliveryOptions();

        var total = Enumerable.Range(1, defaults.MaxAttempts - 1)
            .Aggregate(TimeSpan.Zero, (sum, failed) => sum + WebhookBackoff.Delay(failed, 0.5, defaults));

        Assert.InRange(total, TimeSpan.FromHours(18), TimeSpan.FromHours(30));
    }

    [Theory]
    [InlineData(0, 0.5)]
    [InlineData(1, -0.1)]
    [InlineData(1, 1.0)]
    [InlineData(1, double.NaN)]
    public void Delay_refuses_an_attempt_count_below_one_or_jitter_outside_zero_to_one(int failedAttempts, double jitter)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => WebhookBackoff.Delay(failedAttempts, jitter, Options));
    }

    [Fact]
    public void Options_with_a_maximum_below_the_initial_delay_are_invalid()
    {
        var options = new WebhookDeliveryOptions { InitialDelay = TimeSpan.FromMinutes(5), MaxDelay = TimeSpan.FromMinutes(1) };

        Assert.NotNull(options.Validate());
        Assert.Null(new WebhookDeliveryOptions().Validate());
    }
}
