using ViaSocket.Domain.Security;

namespace ViaSocket.Domain.Tests.Security;

public sealed class AssociatedDataTests
{
    [Fact]
    public void Each_part_is_length_prefixed()
    {
        var associatedData = AssociatedData.For("ws-1", "connection", "c-123", "clientSecret");

        Assert.Equal("4:ws-1|10:connection|5:c-123|12:clientSecret", associatedData);
    }

    [Fact]
    public void Parts_containing_the_separators_cannot_collide_with_other_parts()
    {
        var joinedInId = AssociatedData.For("ws", "connection", "a|1:b", "m");
        var joinedInMember = AssociatedData.For("ws", "connection", "a", "b|1:m");
        var shifted = AssociatedData.For("ws", "connection", "a|1:b|1:m", "x");

        Assert.Equal(3, new[] { joinedInId, joinedInMember, shifted }.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void An_empty_part_is_refused()
    {
        Assert.Throws<ArgumentException>(() => AssociatedData.For("ws", "connection", "", "clientSecret"));
    }

    [Fact]
    public void Each_version_of_a_record_has_its_own_associated_data()
    {
        var record = AssociatedData.For("ws", "connection", "c-1", "state");

        Assert.NotEqual(AssociatedData.WithVersion(record, 4), AssociatedData.WithVersion(record, 5));
        Assert.NotEqual(record, AssociatedData.WithVersion(record, 1));
    }

    [Fact]
    public void A_ciphertext_bound_to_one_version_does_not_decrypt_as_another()
    {
        var protector = new SecretProtector(new MasterKeyRing([MasterKey.Generate("k")], "k"));
        var record = AssociatedData.For("ws", "connection", "c-1", "state");
        var older = protector.Protect("rt-old", AssociatedData.WithVersion(record, 4));

        var refused = Assert.Throws<SecretDecryptionException>(() => protector.Unprotect(older, AssociatedData.WithVersion(record, 5)));

        Assert.Equal(SecretDecryptionFailure.AuthenticationFailed, refused.Failure);
        Assert.Equal("rt-old", protector.Unprotect(older, AssociatedData.WithVersion(record, 4)));
    }
}
