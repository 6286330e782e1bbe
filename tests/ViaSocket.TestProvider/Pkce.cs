using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace ViaSocket.TestProvider;

/// <summary>PKCE checks from RFC 7636.</summary>
internal static class Pkce
{
    private const int MinVerifierLength = 43;
    private const int MaxVerifierLength = 128;

    public static bool IsSupportedMethod(string method) =>
        method is OAuthWire.PkceMethods.S256 or OAuthWire.PkceMethods.Plain;

    /// <summary>RFC 7636 4.1: 43 to 128 characters from the unreserved set.</summary>
    public static bool IsWellFormedVerifier(string verifier) =>
        verifier.Length is >= MinVerifierLength and <= MaxVerifierLength
        && verifier.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~');

    public static bool Matches(string challenge, string method, string verifier)
    {
        var derived = method == OAuthWire.PkceMethods.S256
            ? Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)))
            : verifier;
        return OpaqueTokens.FixedTimeEquals(challenge, derived);
    }
}
