using ViaSocket.Domain.Credentials;

namespace ViaSocket.Domain.Tests.Credentials;

public sealed class ConnectionLabelMaskerTests
{
    [Theory]
    [InlineData("john.doe@example.com", "j***@example.com")]
    [InlineData("j@example.com", "***@example.com")]
    [InlineData("a@b@example.com", "a***@example.com")]
    [InlineData("acme workspace", "a***e")]
    [InlineData("abcd", "a***d")]
    [InlineData("abc", "***")]
    [InlineData("a", "***")]
    [InlineData("", "")]
    [InlineData("@handle", "@***e")]
    public void Labels_are_masked_for_display(string label, string expected)
    {
        Assert.Equal(expected, ConnectionLabelMasker.Mask(label));
    }
}
