using System.Security.Cryptography;
using System.Text;
using ViaSocket.Domain.Definitions;

namespace ViaSocket.Domain.Connections;

/// <summary>The random values of one authorization attempt: the OAuth <c>state</c>, the OpenID Connect <c>nonce</c> and the PKCE pair (RFC 7636).</summary>
public static class OAuthSecrets
{
    /// <summary>256 random bits, base64url: far above the 128 bits RFC 9700 asks of <c>state</c>.</summary>
    public static string CreateState() => Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>The OpenID Connect <c>nonce</c>: 256 random bits like the state, binding the ID token to this attempt.</summary>
    public static string CreateNonce() => Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>
    /// The grain key of a state: its SHA-256, so the state itself is never an id in storage, logs or traces.
    /// </summary>
    public static string StateKey(string state) => Base64Url(SHA256.HashData(Encoding.UTF8.GetBytes(state)));

    /// <summary>A 43-character verifier from 32 random bytes (RFC 7636 section 4.1 allows 43-128).</summary>
    public static string CreateCodeVerifier() => Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>The <c>code_challenge</c> for a verifier, or null when the version uses no PKCE.</summary>
    public static string? CodeChallenge(string? verifier, string pkceMode) => pkceMode switch
    {
        _ when verifier is null => null,
        PkceModes.S256 => Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))),
        PkceModes.Plain => verifier,
        _ => null,
    };

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
