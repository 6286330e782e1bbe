using System.Text.Json.Nodes;
using System.Web;
using ViaSocket.Domain.Connections;
using ViaSocket.Domain.Definitions;
using ViaSocket.Domain.Validation;

namespace ViaSocket.Domain.Tests.Connections;

/// <summary>The nonce in the authorize request, and the Test Me block an OpenID Connect version may leave out.</summary>
public sealed class IdTokenRequestTests
{
    private const string RedirectUri = "https://connect.example.com/oauth/callback";

    private static readonly AuthorizationDefinition OpenId = TestDefinitions.Valid().Authorization! with
    {
        Scopes = ["openid", "email"],
        Issuer = "https://login.example.com",
        JwksUrl = "https://login.example.com/jwks",
    };

    [Fact]
    public void The_nonce_goes_out_under_the_name_the_version_gives_it()
    {
        Assert.Equal("n-1", Query(OpenId, "n-1")["nonce"]);
        Assert.Equal("n-1", Query(OpenId with { ParameterNames = new Dictionary<string, string> { ["nonce"] = "oidc_nonce" } }, "n-1")["oidc_nonce"]);
    }

    [Fact]
    public void An_attempt_without_a_nonce_sends_none()
    {
        Assert.False(Query(OpenId, null).ContainsKey("nonce"));
    }

    [Fact]
    public void Extra_params_cannot_replace_the_nonce_of_an_openid_version_but_others_keep_a_static_one()
    {
        var extras = new Dictionary<string, string> { ["nonce"] = "static" };

        Assert.Equal("n-1", Query(OpenId with { ExtraParams = extras }, "n-1")["nonce"]);
        Assert.Equal("static", Query(OpenId with { Scopes = ["read"], ExtraParams = extras }, null)["nonce"]);
    }

    [Fact]
    public void Each_nonce_is_new_and_long()
    {
        var first = OAuthSecrets.CreateNonce();

        Assert.Equal(43, first.Length);
        Assert.NotEqual(first, OAuthSecrets.CreateNonce());
    }

    [Fact]
    public void A_version_that_always_asks_for_openid_and_names_issuer_and_key_set_needs_no_test_me()
    {
        var definition = TestDefinitions.Valid() with { Authorization = OpenId, TestMe = null };

        Assert.Empty(DefinitionValidator.Validate(definition));
    }

    public static TheoryData<string, AuthorizationDefinition> StillNeedTestMe() => new()
    {
        { "no openid", OpenId with { Scopes = ["email"] } },
        { "openid only optional", OpenId with { Scopes = ["email"], OptionalScopes = ["openid"] } },
        { "no issuer", OpenId with { Issuer = null } },
        { "no key set", OpenId with { JwksUrl = null } },
    };

    [Theory]
    [MemberData(nameof(StillNeedTestMe))]
    public void Other_versions_still_need_test_me(string name, AuthorizationDefinition authorization)
    {
        var problems = DefinitionValidator.Validate(TestDefinitions.Valid() with { Authorization = authorization, TestMe = null });

        Assert.Contains(problems, p => p.Pointer == "/testMe" && p.Code == ValidationCodes.Required);
        Assert.False(string.IsNullOrEmpty(name));
    }

    [Theory]
    [InlineData("jwks.json", ValidationCodes.InvalidUrl)]
    [InlineData("http://login.example.com/jwks", ValidationCodes.InsecureUrl)]
    public void The_key_set_url_must_be_absolute_https(string url, string code)
    {
        var problems = DefinitionValidator.Validate(TestDefinitions.Valid() with { Authorization = OpenId with { JwksUrl = url } });

        Assert.Contains(problems, p => p.Pointer == "/authorization/jwksUrl" && p.Code == code);
    }

    [Fact]
    public void A_field_may_not_shadow_the_id_token_claims()
    {
        var problems = DefinitionValidator.Validate(TestDefinitions.Valid() with { Fields = [new FieldDefinition { Key = "idtoken" }] });

        Assert.Contains(problems, p => p.Code == ValidationCodes.ReservedFieldKey);
    }

    private static Dictionary<string, string> Query(AuthorizationDefinition authorization, string? nonce)
    {
        var version = CompiledAuthVersion.Compile(TestDefinitions.Valid() with { Fields = [], Authorization = authorization }, "r1");
        var context = ConnectionContext.Create(version, new JsonObject { ["subdomain"] = "acme" }, RedirectUri, null);
        var url = AuthorizeUrlBuilder.Build(version, new AuthorizeRequest(context, RedirectUri, "state-value-1234567890", null, Nonce: nonce));
        var query = HttpUtility.ParseQueryString(url.Query);
        return query.AllKeys.OfType<string>().ToDictionary(key => key, key => query[key]!);
    }
}
