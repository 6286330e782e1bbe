using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ViaSocket.Domain.Tokens;

/// <summary>What an ID token must match (OpenID Connect Core section 3.1.3.7).</summary>
/// <param name="Audience">The client id the attempt used.</param>
/// <param name="Nonce">The nonce sent in the authorize request; null for a refresh response (section 12.2), which carries none to check.</param>
/// <param name="Subject">The <c>sub</c> the token must keep (a refresh); null at connect.</param>
public sealed record IdTokenExpectations(string Issuer, string Audience, string? Nonce, string? Subject, DateTimeOffset Now);

/// <summary>The claims of a valid ID token, or the one check it failed (see <see cref="IdTokenFailures"/>).</summary>
public sealed record IdTokenCheck(JsonObject? Claims, string? Failure)
{
    public bool IsValid => Failure is null;

    /// <summary>The token names a key the key set lacks: the provider may have rotated, so a fresh key set may know it.</summary>
    public bool KeyUnknown => Failure == IdTokenFailures.KeyUnknown;

    public static IdTokenCheck Failed(string failure) => new(null, failure);
}

/// <summary>Why an ID token was refused: stable words, never token content.</summary>
public static class IdTokenFailures
{
    public const string Missing = "missing";
    public const string Malformed = "malformed";
    public const string Algorithm = "algorithm";
    public const string KeyUnknown = "signature key unknown";
    public const string Signature = "signature";
    public const string Issuer = "issuer";
    public const string Audience = "audience";
    public const string Expired = "expired";
    public const string NotYetValid = "not yet valid";
    public const string Nonce = "nonce";
    public const string Subject = "subject";
    public const string KeysUnavailable = "keys unavailable";
}

/// <summary>
/// Validates an ID token with Microsoft.IdentityModel: the signature against the provider's key set, then <c>iss</c>,
/// <c>aud</c> (and <c>azp</c>), <c>exp</c>/<c>nbf</c> on the caller's clock, <c>nonce</c> and <c>sub</c>.
/// </summary>
public static class IdTokenValidator
{
    /// <summary>Far above any real ID token; a larger one is refused before it is parsed.</summary>
    public const int MaxTokenBytes = 16 * 1024;

    /// <summary>How far the provider's clock may be off ours.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(1);

    /// <summary>Asymmetric algorithms only: <c>none</c> is refused, and so is HMAC, whose key would be the client secret.</summary>
    public static readonly IReadOnlyList<string> Algorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
    ];

    public static async Task<IdTokenCheck> ValidateAsync(string idToken, JsonWebKeySet keys, IdTokenExpectations expected)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(expected);
        var handler = new JsonWebTokenHandler { MaximumTokenSizeInBytes = MaxTokenBytes };
        // CanReadToken refuses a token over MaximumTokenSizeInBytes before parsing it.
        if (string.IsNullOrEmpty(idToken) || !handler.CanReadToken(idToken))
        {
            return IdTokenCheck.Failed(IdTokenFailures.Malformed);
        }

        JsonWebToken token;
        try
        {
            token = handler.ReadJsonWebToken(idToken);
        }
        catch (Exception exception) when (exception is ArgumentException or SecurityTokenMalformedException)
        {
            return IdTokenCheck.Failed(IdTokenFailures.Malformed);
        }

        if (!Algorithms.Contains(token.Alg, StringComparer.Ordinal))
        {
            return IdTokenCheck.Failed(IdTokenFailures.Algorithm);
        }

        var signingKeys = keys.GetSigningKeys().Where(key => string.IsNullOrEmpty(token.Kid) || key.KeyId == token.Kid).ToList();
        if (signingKeys.Count == 0)
        {
            return IdTokenCheck.Failed(IdTokenFailures.KeyUnknown);
        }

        var result = await handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            IssuerSigningKeys = signingKeys,
            ValidIssuer = expected.Issuer,
            ValidAudience = expected.Audience,

            // Checked below on the injected clock: the library reads the system clock.
            ValidateLifetime = false,
            RequireExpirationTime = false,
        }).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return IdTokenCheck.Failed(result.Exception switch
            {
                SecurityTokenInvalidIssuerException => IdTokenFailures.Issuer,
                SecurityTokenInvalidAudienceException => IdTokenFailures.Audience,
                SecurityTokenInvalidAlgorithmException => IdTokenFailures.Algorithm,
                SecurityTokenMalformedException => IdTokenFailures.Malformed,
                _ => IdTokenFailures.Signature,
            });
        }

        return CheckClaims(token, expected) is { } failure ? IdTokenCheck.Failed(failure) : new IdTokenCheck(Claims(token), null);
    }

    private static string? CheckClaims(JsonWebToken token, IdTokenExpectations expected)
    {
        // Several audiences: the authorized party must be this client (OpenID Connect Core 3.1.3.7, items 4 and 5).
        if (token.Audiences.Count() > 1 && (!token.TryGetPayloadValue<string>(JwtRegisteredClaimNames.Azp, out var azp) || azp != expected.Audience))
        {
            return IdTokenFailures.Audience;
        }

        if (!token.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Exp, out var exp) || DateTimeOffset.FromUnixTimeSeconds(exp) + ClockSkew <= expected.Now)
        {
            return IdTokenFailures.Expired;
        }

        if (token.TryGetPayloadValue<long>(JwtRegisteredClaimNames.Nbf, out var nbf) && DateTimeOffset.FromUnixTimeSeconds(nbf) - ClockSkew > expected.Now)
        {
            return IdTokenFailures.NotYetValid;
        }

        if (expected.Nonce is { } nonce && (!token.TryGetPayloadValue<string>(JwtRegisteredClaimNames.Nonce, out var received) || !FixedTimeEquals(received, nonce)))
        {
            return IdTokenFailures.Nonce;
        }

        if (string.IsNullOrEmpty(token.Subject) || (expected.Subject is { } subject && token.Subject != subject))
        {
            return IdTokenFailures.Subject;
        }

        return null;
    }

    /// <summary>
    /// The payload as sent, so claims keep their JSON types (an <c>email_verified</c> stays a boolean), without the
    /// nonce: it was this attempt's secret and templates have no use for it.
    /// </summary>
    private static JsonObject Claims(JsonWebToken token)
    {
        var claims = (JsonObject)JsonNode.Parse(Base64UrlEncoder.DecodeBytes(token.EncodedPayload))!;
        claims.Remove(JwtRegisteredClaimNames.Nonce);
        return claims;
    }

    private static bool FixedTimeEquals(string received, string expected) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(received), Encoding.UTF8.GetBytes(expected));
}
