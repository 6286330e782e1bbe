using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ViaSocket.TestProvider;

/// <summary>
/// OpenID Connect ID tokens, RS256, signed with a key the test can rotate; the key set serves the current key and,
/// after a rotation, the previous one. Faults are set per client (<see cref="IdTokenFault"/>).
/// </summary>
internal sealed class IdTokenIssuer(TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<string, IdTokenFault> faults = new(StringComparer.Ordinal);
    private readonly Lock gate = new();
    private RsaSecurityKey current = NewKey();
    private RsaSecurityKey? previous;
    private int jwksRequests;

    public int JwksRequests => Volatile.Read(ref jwksRequests);

    public void SetFault(string clientId, IdTokenFault fault) => faults[clientId] = fault;

    /// <summary>A new current key; the old one stays in the key set, as providers keep it while its tokens live.</summary>
    public void Rotate()
    {
        lock (gate)
        {
            (previous, current) = (current, NewKey());
        }
    }

    public JsonObject KeySet()
    {
        Interlocked.Increment(ref jwksRequests);
        lock (gate)
        {
            var keys = new JsonArray(Jwk(current));
            if (previous is not null)
            {
                keys.Add(Jwk(previous));
            }

            return new JsonObject { ["keys"] = keys };
        }
    }

    /// <param name="nonce">The authorization request's nonce; null for a refresh.</param>
    /// <returns>The token, or null when the client's fault is <see cref="IdTokenFault.Omitted"/>.</returns>
    public string? Issue(string issuer, string clientId, TestUser user, string? nonce)
    {
        var fault = faults.GetValueOrDefault(clientId);
        if (fault == IdTokenFault.Omitted)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var issuedAt = fault == IdTokenFault.Expired ? now - Lifetime - TimeSpan.FromMinutes(10) : now;
        var claims = new Dictionary<string, object>
        {
            [JwtRegisteredClaimNames.Sub] = fault == IdTokenFault.WrongSubject ? "mallory" : user.Id,
            [JwtRegisteredClaimNames.Email] = user.Email,

            // Tells one token from the next, even within a second.
            [JwtRegisteredClaimNames.Jti] = Convert.ToHexString(RandomNumberGenerator.GetBytes(8)),
            [JwtRegisteredClaimNames.Iat] = issuedAt.ToUnixTimeSeconds(),
            [JwtRegisteredClaimNames.Exp] = (issuedAt + Lifetime).ToUnixTimeSeconds(),
        };
        var sentNonce = fault switch
        {
            IdTokenFault.NoNonce => null,
            IdTokenFault.WrongNonce => "not-the-nonce-that-was-sent",
            _ => nonce,
        };
        if (sentNonce is not null)
        {
            claims[JwtRegisteredClaimNames.Nonce] = sentNonce;
        }

        RsaSecurityKey key;
        lock (gate)
        {
            key = fault == IdTokenFault.UnknownKey ? NewKey() : current;
        }

        var token = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = fault == IdTokenFault.WrongAudience ? "another-client" : clientId,
            Claims = claims,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });
        return fault == IdTokenFault.Tampered ? Tamper(token) : token;
    }

    /// <summary>The same header and signature over a payload naming another email.</summary>
    private static string Tamper(string token)
    {
        var parts = token.Split('.');
        var payload = JsonNode.Parse(Base64UrlEncoder.Decode(parts[1]))!.AsObject();
        payload[JwtRegisteredClaimNames.Email] = "mallory@example.com";
        return $"{parts[0]}.{Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(payload.ToJsonString()))}.{parts[2]}";
    }

    private static RsaSecurityKey NewKey() => new(RSA.Create(2048)) { KeyId = Convert.ToHexString(RandomNumberGenerator.GetBytes(8)) };

    private static JsonObject Jwk(RsaSecurityKey key)
    {
        var parameters = key.Rsa.ExportParameters(includePrivateParameters: false);
        return new JsonObject
        {
            ["kty"] = "RSA",
            ["use"] = "sig",
            ["alg"] = SecurityAlgorithms.RsaSha256,
            ["kid"] = key.KeyId,
            ["n"] = Base64UrlEncoder.Encode(parameters.Modulus),
            ["e"] = Base64UrlEncoder.Encode(parameters.Exponent),
        };
    }
}
