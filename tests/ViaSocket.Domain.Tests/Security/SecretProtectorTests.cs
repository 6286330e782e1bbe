using ViaSocket.Domain.Security;

namespace ViaSocket.Domain.Tests.Security;

public sealed class SecretProtectorTests
{
    private const string Secret = "rt-5f3c0a9e-very-secret-refresh-token";
    private static readonly string Record = AssociatedData.For("ws-1", "connection", "conn-1", "authData.accesstokencode");
    private static readonly MasterKey KeyA = MasterKey.Generate("key-a");
    private static readonly MasterKey KeyB = MasterKey.Generate("key-b");

    private static SecretProtector Protector(string activeKeyId, params MasterKey[] keys) => new(new MasterKeyRing(keys, activeKeyId));

    private static string[] Segments(string protectedValue) => protectedValue.Split('.');

    private static string Replace(string protectedValue, int segment, string replacement)
    {
        var segments = Segments(protectedValue);
        segments[segment] = replacement;
        return string.Join('.', segments);
    }

    /// <summary>Flips one bit of the decoded bytes of a base64url segment.</summary>
    private static string FlipBit(string segment, int byteIndex)
    {
        var bytes = System.Buffers.Text.Base64Url.DecodeFromChars(segment);
        bytes[byteIndex] ^= 0x01;
        return System.Buffers.Text.Base64Url.EncodeToString(bytes);
    }

    [Fact]
    public void A_protected_value_round_trips_to_the_same_plaintext()
    {
        var protector = Protector("key-a", KeyA);

        var protectedValue = protector.Protect(Secret, Record);

        Assert.Equal(Secret, protector.Unprotect(protectedValue, Record));
    }

    [Theory]
    [InlineData("")]
    [InlineData("ü€😀 non-ASCII survives")]
    public void Empty_and_non_ascii_plaintexts_round_trip(string plaintext)
    {
        var protector = Protector("key-a", KeyA);

        var protectedValue = protector.Protect(plaintext, Record);

        Assert.Equal(plaintext, protector.Unprotect(protectedValue, Record));
    }

    [Fact]
    public void A_plaintext_larger_than_the_stack_buffers_round_trips()
    {
        var protector = Protector("key-a", KeyA);
        var large = string.Concat(Enumerable.Repeat("eyJhbGciOiJSUzI1NiJ9.", 500));

        var protectedValue = protector.Protect(large, Record);

        Assert.Equal(large, protector.Unprotect(protectedValue, Record));
    }

    [Fact]
    public void The_value_has_the_documented_format_and_never_contains_the_plaintext()
    {
        var protector = Protector("key-a", KeyA);

        var protectedValue = protector.Protect(Secret, Record);

        var segments = Segments(protectedValue);
        Assert.Equal(4, segments.Length);
        Assert.Equal("v1", segments[0]);
        Assert.Equal("key-a", segments[1]);
        Assert.Equal(80, segments[2].Length);
        Assert.Equal(12 + System.Text.Encoding.UTF8.GetByteCount(Secret) + 16, System.Buffers.Text.Base64Url.DecodeFromChars(segments[3]).Length);
        Assert.DoesNotContain(Secret, protectedValue, StringComparison.Ordinal);
    }

    [Fact]
    public void Protecting_the_same_plaintext_twice_gives_different_data_keys_and_ciphertexts()
    {
        var protector = Protector("key-a", KeyA);

        var first = Segments(protector.Protect(Secret, Record));
        var second = Segments(protector.Protect(Secret, Record));

        Assert.NotEqual(first[2], second[2]);
        Assert.NotEqual(first[3], second[3]);
    }

    [Fact]
    public void A_value_copied_to_another_connection_fails_to_decrypt()
    {
        var protector = Protector("key-a", KeyA);
        var protectedValue = protector.Protect(Secret, Record);
        var otherConnection = AssociatedData.For("ws-1", "connection", "conn-2", "authData.accesstokencode");

        var exception = Assert.Throws<SecretDecryptionException>(() => protector.Unprotect(protectedValue, otherConnection));

        Assert.Equal(SecretDecryptionFailure.AuthenticationFailed, exception.Failure);
        Assert.Equal("key-a", exception.KeyId);
        Assert.Contains("encrypted for another record, or was altered", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_moved_to_another_workspace_or_member_fails_to_decrypt()
    {
        var protector = Protector("key-a", KeyA);
        var protectedValue = protector.Protect(Secret, Record);

        Assert.Throws<SecretDecryptionException>(() =>
            protector.Unprotect(protectedValue, AssociatedData.For("ws-2", "connection", "conn-1", "authData.accesstokencode")));
        Assert.Throws<SecretDecryptionException>(() =>
            protector.Unprotect(protectedValue, AssociatedData.For("ws-1", "connection", "conn-1", "clientSecret")));
    }

    [Fact]
    public void A_tampered_payload_fails_as_altered()
    {
        var protector = Protector("key-a", KeyA);
        var protectedValue = protector.Protect(Secret, Record);
        var tampered = Replace(protectedValue, 3, FlipBit(Segments(protectedValue)[3], 14));

        var exception = Assert.Throws<SecretDecryptionException>(() => protector.Unprotect(tampered, Record));

        Assert.Equal(SecretDecryptionFailure.AuthenticationFailed, exception.Failure);
        Assert.Contains("payload", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tampered_wrapped_key_fails_as_altered()
    {
        var protector = Protector("key-a", KeyA);
        var protectedValue = protector.Protect(Secret, Record);
        var tampered = Replace(protectedValue, 2, FlipBit(Segments(protectedValue)[2], 20));

        var exception = Assert.Throws<SecretDecryptionException>(() => protector.Unprotect(tampered, Record));

        Assert.Equal(SecretDecryptionFailure.AuthenticationFailed, exception.Failure);
        Assert.Contains("data key wrapped with master key 'key-a'", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_id_swapped_to_another_known_key_fails_as_altered()
    {
        var protector = Protector("key-a", KeyA, KeyB);
        var protectedValue = protector.Protect(Secret, Record);

        var exception = Assert.Throws<SecretDecryptionException>(() => protector.Unprotect(Replace(protectedValue, 1, "key-b"), Record));

        Assert.Equal(SecretDecryptionFailure.AuthenticationFailed, exception.Failure);
        Assert.Equal("key-b", exception.KeyId);
    }

    [Fact]
    public void An_unknown_key_id_fails_naming_the_key()
    {
        var writer = Protector("key-b", KeyB);
        var reader = Protector("key-a", KeyA);
        var protectedValue = writer.Protect(Secret, Record);

        var exception = Assert.Throws<SecretDecryptionException>(() => reader.Unprotect(protectedValue, Record));

        Assert.Equal(SecretDecryptionFailure.UnknownKey, exception.Failure);
        Assert.Equal("key-b", exception.KeyId);
        Assert.Contains("master key 'key-b', which is not in the key ring", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("plain text")]
    [InlineData("v2.key-a.AAAA.AAAA")]
    [InlineData("v1.key-a")]
    [InlineData("v1.key a.AAAA.AAAA")]
    [InlineData("v1.key-a.AAAA")]
    [InlineData("v1.key-a.AAAA.AAAA")]
    public void A_malformed_value_fails_as_malformed(string protectedValue)
    {
        var protector = Protector("key-a", KeyA);

        var exception = Assert.Throws<SecretDecryptionException>(() => protector.Unprotect(protectedValue, Record));

        Assert.Equal(SecretDecryptionFailure.Malformed, exception.Failure);
    }

    [Fact]
    public void A_truncated_payload_or_an_extra_segment_fails_as_malformed()
    {
        var protector = Protector("key-a", KeyA);
        var protectedValue = protector.Protect(Secret, Record);

        var truncated = Assert.Throws<SecretDecryptionException>(() => protector.Unprotect(Replace(protectedValue, 3, "AAAA"), Record));
        var extra = Assert.Throws<SecretDecryptionException>(() => protector.Unprotect(protectedValue + ".AAAA", Record));

        Assert.Equal(SecretDecryptionFailure.Malformed, truncated.Failure);
        Assert.Equal(SecretDecryptionFailure.Malformed, extra.Failure);
    }

    [Fact]
    public void Failure_messages_never_contain_the_plaintext_the_ciphertext_or_the_associated_data()
    {
        var protector = Protector("key-a", KeyA);
        var protectedValue = protector.Protect(Secret, Record);
        var segments = Segments(protectedValue);
        var otherRecord = AssociatedData.For("ws-9", "connection", "conn-9", "member-9");
        var failures = new Func<string>[]
        {
            () => protector.Unprotect(protectedValue, otherRecord),
            () => protector.Unprotect(Replace(protectedValue, 3, FlipBit(segments[3], 14)), Record),
            () => protector.Unprotect(Replace(protectedValue, 2, FlipBit(segments[2], 20)), Record),
            () => protector.Unprotect(Replace(protectedValue, 1, "key-z"), Record),
            () => protector.Unprotect(Replace(protectedValue, 3, segments[3] + "*"), Record),
            () => Protector("key-b", KeyA, KeyB).Rewrap(protectedValue, otherRecord),
        };

        foreach (var failure in failures)
        {
            var exception = Assert.Throws<SecretDecryptionException>(failure);
            Assert.DoesNotContain(Secret, exception.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(segments[2], exception.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(segments[3][..20], exception.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain("ws-9", exception.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Empty_associated_data_is_refused()
    {
        var protector = Protector("key-a", KeyA);

        Assert.Throws<ArgumentException>(() => protector.Protect(Secret, ""));
    }

    [Fact]
    public void Rotation_keeps_old_values_readable_rewraps_them_to_the_new_key_and_survives_removing_the_old_key()
    {
        var protectedWithA = Protector("key-a", KeyA).Protect(Secret, Record);
        var rotated = Protector("key-b", KeyA, KeyB);

        var stillReadable = rotated.Unprotect(protectedWithA, Record);
        var rewrapped = rotated.Rewrap(protectedWithA, Record);
        var withoutA = Protector("key-b", KeyB);

        Assert.Equal(Secret, stillReadable);
        Assert.Equal("key-b", Segments(rewrapped)[1]);
        Assert.NotEqual(Segments(protectedWithA)[2], Segments(rewrapped)[2]);
        Assert.Equal(Segments(protectedWithA)[3], Segments(rewrapped)[3]);
        Assert.Equal(Secret, withoutA.Unprotect(rewrapped, Record));
        Assert.Equal(SecretDecryptionFailure.UnknownKey,
            Assert.Throws<SecretDecryptionException>(() => withoutA.Unprotect(protectedWithA, Record)).Failure);
    }

    [Fact]
    public void New_values_after_rotation_use_the_new_active_key()
    {
        var rotated = Protector("key-b", KeyA, KeyB);

        var protectedValue = rotated.Protect(Secret, Record);

        Assert.Equal("key-b", Segments(protectedValue)[1]);
        Assert.False(rotated.NeedsRewrap(protectedValue));
    }

    [Fact]
    public void Needs_rewrap_is_true_only_for_values_under_a_key_other_than_the_active_one()
    {
        var protectedWithA = Protector("key-a", KeyA).Protect(Secret, Record);

        Assert.False(Protector("key-a", KeyA, KeyB).NeedsRewrap(protectedWithA));
        Assert.True(Protector("key-b", KeyA, KeyB).NeedsRewrap(protectedWithA));
        Assert.True(Protector("key-b", KeyB).NeedsRewrap(protectedWithA));
    }

    [Fact]
    public void Rewrapping_a_value_already_under_the_active_key_returns_it_unchanged()
    {
        var protector = Protector("key-a", KeyA, KeyB);
        var protectedValue = protector.Protect(Secret, Record);

        Assert.Same(protectedValue, protector.Rewrap(protectedValue, Record));
    }

    [Fact]
    public void Rewrapping_with_the_associated_data_of_another_record_fails()
    {
        var protectedWithA = Protector("key-a", KeyA).Protect(Secret, Record);
        var rotated = Protector("key-b", KeyA, KeyB);
        var otherRecord = AssociatedData.For("ws-1", "connection", "conn-2", "authData.accesstokencode");

        var exception = Assert.Throws<SecretDecryptionException>(() => rotated.Rewrap(protectedWithA, otherRecord));

        Assert.Equal(SecretDecryptionFailure.AuthenticationFailed, exception.Failure);
        Assert.Equal("key-a", exception.KeyId);
    }

    [Fact]
    public void A_rewrapped_value_is_still_bound_to_its_record()
    {
        var rotated = Protector("key-b", KeyA, KeyB);
        var rewrapped = rotated.Rewrap(Protector("key-a", KeyA).Protect(Secret, Record), Record);

        Assert.Throws<SecretDecryptionException>(() =>
            rotated.Unprotect(rewrapped, AssociatedData.For("ws-1", "connection", "conn-2", "authData.accesstokencode")));
    }

    [Fact]
    public async Task One_protector_serves_concurrent_callers()
    {
        var protector = Protector("key-b", KeyA, KeyB);
        var legacy = Protector("key-a", KeyA).Protect(Secret, Record);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(worker => Task.Run(() =>
        {
            for (var i = 0; i < 500; i++)
            {
                var plaintext = $"{Secret}-{worker}-{i}";
                var record = AssociatedData.For("ws-1", "connection", $"conn-{worker}", $"m{i}");
                if (protector.Unprotect(protector.Protect(plaintext, record), record) != plaintext
                    || protector.Unprotect(protector.Rewrap(legacy, Record), Record) != Secret)
                {
                    return false;
                }
            }

            return true;
        })));

        Assert.All(results, Assert.True);
    }
}
