using ViaSocket.Domain.Connections;

namespace ViaSocket.Domain.Tests.Connections;

public sealed class ReuseGraceTests
{
    private static readonly DateTimeOffset SentAt = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Inside_the_declared_grace_an_interrupted_refresh_is_replayed_and_after_it_the_grace_is_over()
    {
        Assert.Equal(InterruptedRefreshVerdict.Replay, ReuseGrace.Judge(SentAt, 30, SentAt.AddSeconds(29)));
        Assert.Equal(InterruptedRefreshVerdict.GraceOver, ReuseGrace.Judge(SentAt, 30, SentAt.AddSeconds(30)));
    }

    [Fact]
    public void A_declared_grace_of_zero_is_over_at_once()
    {
        Assert.Equal(InterruptedRefreshVerdict.GraceOver, ReuseGrace.Judge(SentAt, 0, SentAt));
    }

    [Fact]
    public void Nothing_interrupted_or_no_grace_declared_leaves_the_refresh_as_usual()
    {
        Assert.Equal(InterruptedRefreshVerdict.None, ReuseGrace.Judge(null, 30, SentAt));
        Assert.Equal(InterruptedRefreshVerdict.None, ReuseGrace.Judge(SentAt, null, SentAt.AddHours(1)));
    }
}
