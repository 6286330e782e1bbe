using ViaSocket.Domain.Security;

namespace ViaSocket.Domain.Tests.Security;

public sealed class RowVersionTests
{
    [Theory]
    [InlineData(null, 1)]
    [InlineData("1", 2)]
    [InlineData("41", 42)]
    public void The_next_version_is_one_on_insert_and_one_more_on_update(string? eTag, long expected)
    {
        Assert.Equal(expected, RowVersion.Next(eTag));
    }

    [Fact]
    public void An_etag_that_is_no_counter_cannot_be_written_over()
    {
        Assert.Throws<FormatException>(() => RowVersion.Next("W/\"abc\""));
    }

    [Fact]
    public void A_ciphertext_read_at_the_version_it_was_written_for_is_accepted()
    {
        Assert.Null(RowVersion.Refusal(7, "7", lastSeenETag: null));
        Assert.Null(RowVersion.Refusal(7, "7", lastSeenETag: "6"));
        Assert.Null(RowVersion.Refusal(7, "7", lastSeenETag: "7"));
    }

    [Theory]
    [InlineData(3, "7")]
    [InlineData(8, "7")]
    public void A_ciphertext_of_another_version_than_the_row_is_refused(long bound, string read)
    {
        Assert.Contains("copied back", RowVersion.Refusal(bound, read, lastSeenETag: null), StringComparison.Ordinal);
    }

    [Fact]
    public void A_whole_row_restored_under_an_activation_that_saw_a_newer_version_is_refused()
    {
        Assert.Contains("went back from version 9 to version 4", RowVersion.Refusal(4, "4", lastSeenETag: "9"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("x")]
    [InlineData("0")]
    public void A_row_without_a_version_counter_is_refused(string? read)
    {
        Assert.NotNull(RowVersion.Refusal(1, read, lastSeenETag: null));
    }
}
