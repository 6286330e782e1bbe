using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using ViaSocket.Domain.Tokens;

namespace ViaSocket.Domain.Tests.Tokens;

public sealed class IdTokenValidatorTests
{
    private const string Issuer = "https://login.example.com";
    private const string ClientId = "client-1";
    private const string Nonce = "n-0S6_WzA2Mj";

    private static readonly DateTimeOffset Now = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);
    private static readonly RsaSecurityKey Key = new(RSA.Create(2048)) { KeyId = "key-1" };
    private static readonly JsonWebKeySet Keys = KeySet(Key);
    private static readonly IdTokenExpectations Expected = new(Issuer, ClientId, Nonce, null, Now);

    [Fact]
    public async Task A_valid_token_yields_its_claims_with_their_json_types_and_without_the_nonce()
    {
        var check = await IdTokenValidator.ValidateAsync(Token(), Keys, Expected);

        Assert.True(check.IsValid, check.Failure);
        Assert.Equal("alice", (string?)check.Claims!["sub"]);
        Assert.Equal("alice@example.com", (string?)check.Claims["email"]);
        Assert.True((bool)check.Claims["email_verified"]!);
        Assert.Null(check.Claims["nonce"]);
    }

    public static TheoryData<string, Func<TokenParts, TokenParts>, string> Refusals() => new()
    {
        { "other audience", t => t with { Audience = "client-2" }, IdTokenFailures.Audience },
        { "other issuer", t => t with { Issuer = "https://evil.example.com" }, IdTokenFailures.Issuer },
        { "expired beyond the skew", t => t with { Expires = Now - TimeSpan.FromSeconds(61) }, IdTokenFailures.Expired },
        { "no exp", t => t with { Expires = null }, IdTokenFailures.Expired },
        { "not yet valid beyond the skew", t => t with { NotBefore = Now + TimeSpan.FromMinutes(2) }, IdTokenFailures.NotYetValid },
        { "other nonce", t => t with { Nonce = "n-other" }, IdTokenFailures.Nonce },
        { "no nonce", t => t with { Nonce = null }, IdTokenFailures.Nonce },
        { "no sub", t => t with { Subject = null }, IdTokenFailures.Subject },
        { "unknown key id", t => t with { SigningKey = new RsaSecurityKey(RSA.Create(2048)) { KeyId = "forged" } }, IdTokenFailures.KeyUnknown },
        { "other key under a known id", t => t with { SigningKey = new RsaSecurityKey(RSA.Create(2048)) { KeyId = "key-1" } }, IdTokenFailures.Signature },
        { "several audiences without azp", t => t with { ExtraAudience = "client-2" }, IdTokenFailures.Audience },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_token_failing_one_check_is_refused_naming_it(string name, Func<TokenParts, TokenParts> change, string failure)
    {
        var check = await IdTokenValidator.ValidateAsync(Token(change(TokenParts.Valid)), Keys, Expected);

        Assert.False(check.IsValid, name);
        Assert.Equal(failure, check.Failure);
        Assert.Null(check.Claims);
    }

    [Fact]
    public async Task Expiry_and_not_before_allow_a_minute_of_clock_skew()
    {
        var token = Token(TokenParts.Valid with { Expires = Now - TimeSpan.FromSeconds(50), NotBefore = Now + TimeSpan.FromSeconds(50) });

        Assert.True((await IdTokenValidator.ValidateAsync(token, Keys, Expected)).IsValid);
    }

    [Fact]
    public async Task Several_audiences_are_accepted_when_this_client_is_the_authorized_party()
    {
        var token = Token(TokenParts.Valid with { ExtraAudience = "client-2", AuthorizedParty = ClientId });

        Assert.True((await IdTokenValidator.ValidateAsync(token, Keys, Expected)).IsValid);
    }

    [Fact]
    public async Task A_changed_payload_under_the_original_signature_fails_the_signature()
    {
        var parts = Token().Split('.');
        var payload = JsonNode.Parse(Base64UrlEncoder.Decode(parts[1]))!;
        payload["email"] = "mallory@example.com";
        var tampered = $"{parts[0]}.{Base64UrlEncoder.Encode(payload.ToJsonString())}.{parts[2]}";

        Assert.Equal(IdTokenFailures.Signature, (await IdTokenValidator.ValidateAsync(tampered, Keys, Expected)).Failure);
    }

    [Fact]
    public async Task An_unsigned_token_is_refused_for_its_algorithm()
    {
        var parts = Token().Split('.');
        var unsigned = $"{Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""")}.{parts[1]}.";

        Assert.Equal(IdTokenFailures.Algorithm, (await IdTokenValidator.ValidateAsync(unsigned, Keys, Expected)).Failure);
    }

    [Fact]
    public async Task An_hmac_token_is_refused_even_when_the_key_set_holds_its_key()
    {
        var secret = new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)) { KeyId = "oct-1" };
        var keys = new JsonWebKeySet($$"""{"keys":[{"kty":"oct","kid":"oct-1","k":"{{Base64UrlEncoder.Encode(secret.Key)}}"}]}""");
        var token = Token(TokenParts.Valid with { SigningKey = secret, Algorithm = SecurityAlgorithms.HmacSha256 });

        Assert.Equal(IdTokenFailures.Algorithm, (await IdTokenValidator.ValidateAsync(token, keys, Expected)).Failure);
    }

    [Fact]
    public async Task A_refresh_token_is_checked_without_a_nonce_but_must_keep_the_subject()
    {
        var refreshed = Token(TokenParts.Valid with { Nonce = null });

        Assert.True((await IdTokenValidator.ValidateAsync(refreshed, Keys, Expected with { Nonce = null, Subject = "alice" })).IsValid);
        Assert.Equal(IdTokenFailures.Subject, (await IdTokenValidator.ValidateAsync(refreshed, Keys, Expected with { Nonce = null, Subject = "bob" })).Failure);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-jwt")]
    [InlineData("a.b.c")]
    public async Task Text_that_is_not_a_token_is_malformed(string text)
    {
        Assert.Equal(IdTokenFailures.Malformed, (await IdTokenValidator.ValidateAsync(text, Keys, Expected)).Failure);
    }

    [Fact]
    public async Task An_oversized_token_is_malformed_before_it_is_parsed()
    {
        var huge = Token(TokenParts.Valid with { Padding = new string('x', IdTokenValidator.MaxTokenBytes) });

        Assert.Equal(IdTokenFailures.Malformed, (await IdTokenValidator.ValidateAsync(huge, Keys, Expected)).Failure);
    }

    private static string Token() => Token(TokenParts.Valid);

    private static string Token(TokenParts parts)
    {
        var claims = new Dictionary<string, object> { ["email"] = "alice@example.com", ["email_verified"] = true };
        void Set(string name, object? value)
        {
            if (value is not null)
            {
                claims[name] = value;
            }
        }

        Set("sub", parts.Subject);
        Set("nonce", parts.Nonce);
        Set("azp", parts.AuthorizedParty);
        Set("exp", parts.Expires?.ToUnixTimeSeconds());
        Set("nbf", parts.NotBefore?.ToUnixTimeSeconds());
        Set("iat", Now.ToUnixTimeSeconds());
        Set("padding", parts.Padding);
        Set("aud", parts.ExtraAudience is null ? parts.Audience : new[] { parts.Audience, parts.ExtraAudience });
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = parts.Issuer,
            Claims = claims,
            SigningCredentials = new SigningCredentials(parts.SigningKey, parts.Algorithm),
        });
    }

    private static JsonWebKeySet KeySet(RsaSecurityKey key)
    {
        var rsa = key.Rsa.ExportParameters(false);
        return new JsonWebKeySet(new JsonObject
        {
            ["keys"] = new JsonArray(new JsonObject
            {
                ["kty"] = "RSA",
                ["use"] = "sig",
                ["kid"] = key.KeyId,
                ["n"] = Base64UrlEncoder.Encode(rsa.Modulus),
                ["e"] = Base64UrlEncoder.Encode(rsa.Exponent),
            }),
        }.ToJsonString());
    }

    public sealed record TokenParts(
        string Issuer, string Audience, string? Subject, string? Nonce, DateTimeOffset? Expires, DateTimeOffset? NotBefore, SecurityKey SigningKey, string Algorithm,
        string? ExtraAudience = null, string? AuthorizedParty = null, string? Padding = null)
    {
        public static TokenParts Valid { get; } = new(IdTokenValidatorTests.Issuer, ClientId, "alice", IdTokenValidatorTests.Nonce, Now + TimeSpan.FromMinutes(10), Now - TimeSpan.FromMinutes(1), Key, SecurityAlgorithms.RsaSha256);
    }
}
