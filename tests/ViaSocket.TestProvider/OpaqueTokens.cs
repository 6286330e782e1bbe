using System.Buffers.Text;
using System.Security.Cryptography;

namespace ViaSocket.TestProvider;

/// <summary>Random opaque values for codes and tokens: 256 bits, base64url, so nothing can be guessed or parsed.</summary>
internal static class OpaqueTokens
{
    private const int ByteLength = 32;

    public static string Create() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(ByteLength));

    /// <summary>Constant-time comparison so secret checks do not leak a matching prefix through timing.</summary>
    public static bool FixedTimeEquals(string expected, string actual) =>
        CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.UTF8.GetBytes(expected),
            System.Text.Encoding.UTF8.GetBytes(actual));
}
