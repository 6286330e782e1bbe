using System.Text;
using ViaSocket.Grains.Events;

namespace ViaSocket.Grains.Tests.Events;

public sealed class WebhookSignatureTests
{
    private const string Secret = "whsec_test-secret";
    private const long Timestamp = 1_700_000_000;
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"a":1}""");
    private static readonly DateTimeOffset SignedAt = DateTimeOffset.FromUnixTimeSeconds(Timestamp);
    private static readonly TimeSpan Tolerance = TimeSpan.FromMinutes(5);

    [Fact]
    public void Compute_matches_an_hmac_sha256_over_timestamp_dot_body_computed_elsewhere()
    {
        // Arrange: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac 'whsec_test-secret'
        const string expected = "v1=f7c40776aa58d1eee88648e741f2488ecc8e2cc810cd3801942f335e82a1da57";

        // Act
        var signature = WebhookSignature.Compute(Secret, Timestamp, Body);

        // Assert
        Assert.Equal(expected, signature);
    }

    [Fact]
    public void With_a_previous_secret_the_header_carries_the_current_signature_first_and_either_secret_verifies()
    {
        const string previous = "whsec_previous-secret";

        var header = WebhookSignature.Compute(Secret, previous, Timestamp, Body);

        Assert.Equal(WebhookSignature.Compute(Secret, Timestamp, Body) + "," + WebhookSignature.Compute(previous, Timestamp, Body), header);
        Assert.True(WebhookSignature.Verify(Secret, "1700000000", Body, header, SignedAt, Tolerance));
        Assert.True(WebhookSignature.Verify(previous, "1700000000", Body, header, SignedAt, Tolerance));
        Assert.False(WebhookSignature.Verify("whsec_other", "1700000000", Body, header, SignedAt, Tolerance));
        Assert.Equal(WebhookSignature.Compute(Secret, Timestamp, Body), WebhookSignature.Compute(Secret, null, Timestamp, Body));
    }

    [Fact]
    public void Verify_accepts_a_fresh_signature_of_the_same_body()
    {
        var signature = WebhookSignature.Compute(Secret, Timestamp, Body);

        var valid = WebhookSignature.Verify(Secret, "1700000000", Body, signature, SignedAt.AddSeconds(30), Tolerance);

        Assert.True(valid);
    }

    [Fact]
    public void Verify_refuses_a_body_changed_after_signing()
    {
        var signature = WebhookSignature.Compute(Secret, Timestamp, Body);

        var valid = WebhookSignature.Verify(Secret, "1700000000", Encoding.UTF8.GetBytes("""{"a":2}"""), signature, SignedAt, Tolerance);

        Assert.False(valid);
    }

    [Fact]
    public void Verify_refuses_a_signature_made_with_another_secret()
    {
        var signature = WebhookSignature.Compute("whsec_other", Timestamp, Body);

        var valid = WebhookSignature.Verify(Secret, "1700000000", Body, signature, SignedAt, Tolerance);

        Assert.False(valid);
    }

    [Fact]
    public void Verify_refuses_a_timestamp_that_was_not_the_one_signed()
    {
        var signature = WebhookSignature.Compute(Secret, Timestamp, Body);

        var valid = WebhookSignature.Verify(Secret, "1700000001", Body, signature, SignedAt, Tolerance);

        Assert.False(valid);
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(301)]
    public void Verify_refuses_a_timestamp_outside_the_tolerance(int secondsFromNow)
    {
        var signature = WebhookSignature.Compute(Secret, Timestamp, Body);

        var valid = WebhookSignature.Verify(Secret, "1700000000", Body, signature, SignedAt.AddSeconds(-secondsFromNow), Tolerance);

        Assert.False(valid);
    }

    [Fact]
    public void Verify_accepts_a_header_listing_several_signatures_when_one_matches()
    {
        var current = WebhookSignature.Compute(Secret, Timestamp, Body);
        var header = WebhookSignature.Compute("whsec_old", Timestamp, Body) + ", " + current;

        var valid = WebhookSignature.Verify(Secret, "1700000000", Body, header, SignedAt, Tolerance);

        Assert.True(valid);
    }

    [Theory]
    [InlineData(null, "v1=00")]
    [InlineData("not-a-number", "v1=00")]
    [InlineData("1700000000", null)]
    [InlineData("1700000000", "")]
    [InlineData("1700000000", "v1=zz")]
    [InlineData("1700000000", "v2=f7c40776aa58d1eee88648e741f2488ecc8e2cc810cd3801942f335e82a1da57")]
    [InlineData("-5", "v1=f7c40776aa58d1eee88648e741f2488ecc8e2cc810cd3801942f335e82a1da57")]
    public void Verify_refuses_missing_or_malformed_headers(string? timestamp, string? signature)
    {
        var valid = WebhookSignature.Verify(Secret, timestamp, Body, signature, SignedAt, Tolerance);

        Assert.False(valid);
    }
}
