using System.Text;
using System.Text.Json.Nodes;
using ViaSocket.Domain.Discovery;

namespace ViaSocket.Domain.Tests.Discovery;

/// <summary>Reading a metadata document from the issuer's host, which is untrusted input.</summary>
public sealed class MetadataDocumentTests
{
    private const string Issuer = "https://login.example.com/tenant";

    public static JsonObject Document() => new()
    {
        ["issuer"] = Issuer,
        ["authorization_endpoint"] = "https://login.example.com/tenant/authorize",
        ["token_endpoint"] = "https://login.example.com/tenant/token",
        ["revocation_endpoint"] = "https://login.example.com/tenant/revoke",
        ["userinfo_endpoint"] = "https://api.example.com/userinfo",
        ["introspection_endpoint"] = "https://login.example.com/tenant/introspect",
        ["jwks_uri"] = "https://login.example.com/tenant/jwks",
        ["scopes_supported"] = new JsonArray("openid", "email", "read"),
        ["code_challenge_methods_supported"] = new JsonArray("S256", "plain"),
        ["token_endpoint_auth_methods_supported"] = new JsonArray("client_secret_post"),
        ["grant_types_supported"] = new JsonArray("authorization_code", "refresh_token"),
        ["authorization_response_iss_parameter_supported"] = true,
        ["claims_supported"] = new JsonArray("sub", new JsonObject { ["unknown"] = 1 }),
        ["x-vendor"] = new JsonObject { ["anything"] = new JsonArray(1, 2, 3) },
    };

    private static DiscoveryResult Parse(JsonObject document, string issuer = Issuer) => MetadataDocument.Parse(Encoding.UTF8.GetBytes(document.ToJsonString()), issuer);

    [Fact]
    public void Every_member_used_is_read_and_unknown_members_are_ignored()
    {
        var metadata = Parse(Document()).Metadata!;

        Assert.Equal(Issuer, metadata.Issuer);
        Assert.Equal("https://login.example.com/tenant/authorize", metadata.AuthorizationEndpoint);
        Assert.Equal("https://login.example.com/tenant/token", metadata.TokenEndpoint);
        Assert.Equal("https://login.example.com/tenant/revoke", metadata.RevocationEndpoint);
        Assert.Equal("https://api.example.com/userinfo", metadata.UserinfoEndpoint);
        Assert.Equal("https://login.example.com/tenant/introspect", metadata.IntrospectionEndpoint);
        Assert.Equal("https://login.example.com/tenant/jwks", metadata.JwksUri);
        Assert.Equal(["openid", "email", "read"], metadata.ScopesSupported);
        Assert.Equal(["S256", "plain"], metadata.CodeChallengeMethodsSupported);
        Assert.Equal(["client_secret_post"], metadata.TokenEndpointAuthMethodsSupported);
        Assert.Equal(["authorization_code", "refresh_token"], metadata.GrantTypesSupported);
        Assert.True(metadata.AuthorizationResponseIssParameterSupported);
    }

    [Fact]
    public void Optional_members_may_be_absent()
    {
        var document = Document();
        foreach (var name in new[] { "revocation_endpoint", "userinfo_endpoint", "introspection_endpoint", "jwks_uri", "scopes_supported", "code_challenge_methods_supported", "authorization_response_iss_parameter_supported" })
        {
            document.Remove(name);
        }

        var metadata = Parse(document).Metadata!;

        Assert.Null(metadata.RevocationEndpoint);
        Assert.Null(metadata.JwksUri);
        Assert.Empty(metadata.ScopesSupported);
        Assert.Empty(metadata.CodeChallengeMethodsSupported);
        Assert.False(metadata.AuthorizationResponseIssParameterSupported);
    }

    [Theory]
    [InlineData("https://login.example.com/other")]
    [InlineData("https://login.example.com/tenant/")]
    [InlineData("https://evil.example.net/tenant")]
    public void A_document_naming_another_issuer_is_refused(string named)
    {
        var document = Document();
        document["issuer"] = named;

        var result = Parse(document);

        Assert.Null(result.Metadata);
        Assert.Equal(DiscoveryErrorCodes.IssuerMismatch, result.ErrorCode);
    }

    [Theory]
    [InlineData("token_endpoint", "http://login.example.com/token", DiscoveryErrorCodes.InsecureEndpoint)]
    [InlineData("authorization_endpoint", "/authorize", DiscoveryErrorCodes.InsecureEndpoint)]
    [InlineData("userinfo_endpoint", "javascript:alert(1)", DiscoveryErrorCodes.InsecureEndpoint)]
    [InlineData("revocation_endpoint", "https://user:pass@login.example.com/revoke", DiscoveryErrorCodes.InsecureEndpoint)]
    [InlineData("jwks_uri", "ftp://login.example.com/jwks", DiscoveryErrorCodes.InsecureEndpoint)]
    public void Endpoints_must_be_absolute_https(string member, string value, string code)
    {
        var document = Document();
        document[member] = value;

        Assert.Equal(code, Parse(document).ErrorCode);
    }

    [Fact]
    public void Loopback_endpoints_may_use_http()
    {
        var document = Document();
        document["issuer"] = "http://127.0.0.1:8080";
        document["token_endpoint"] = "http://127.0.0.1:8080/token";

        Assert.NotNull(Parse(document, "http://127.0.0.1:8080").Metadata);
    }

    [Theory]
    [InlineData("authorization_endpoint")]
    [InlineData("token_endpoint")]
    [InlineData("issuer")]
    public void A_document_without_a_required_member_is_invalid(string member)
    {
        var document = Document();
        document.Remove(member);

        Assert.Equal(DiscoveryErrorCodes.InvalidDocument, Parse(document).ErrorCode);
    }

    [Fact]
    public void A_list_of_anything_but_short_strings_is_invalid()
    {
        var document = Document();
        document["scopes_supported"] = new JsonArray("read", 3);
        Assert.Equal(DiscoveryErrorCodes.InvalidDocument, Parse(document).ErrorCode);

        document["scopes_supported"] = new JsonArray([.. Enumerable.Range(0, MetadataDocument.MaxListEntries + 1).Select(i => JsonValue.Create($"s{i}"))]);
        Assert.Equal(DiscoveryErrorCodes.InvalidDocument, Parse(document).ErrorCode);

        document["scopes_supported"] = "read write";
        Assert.Equal(DiscoveryErrorCodes.InvalidDocument, Parse(document).ErrorCode);
    }

    [Fact]
    public void Oversized_deep_or_non_json_documents_are_invalid()
    {
        var padded = Document();
        padded["x-padding"] = new string('a', MetadataDocument.MaxBytes);
        Assert.Equal(DiscoveryErrorCodes.InvalidDocument, Parse(padded).ErrorCode);

        var deep = Document();
        JsonNode nested = new JsonArray();
        for (var i = 0; i < MetadataDocument.MaxDepth; i++)
        {
            nested = new JsonArray(nested);
        }

        deep["x-deep"] = nested;
        Assert.Equal(DiscoveryErrorCodes.InvalidDocument, Parse(deep).ErrorCode);

        Assert.Equal(DiscoveryErrorCodes.InvalidDocument, MetadataDocument.Parse("<html>"u8, Issuer).ErrorCode);
        Assert.Equal(DiscoveryErrorCodes.InvalidDocument, MetadataDocument.Parse("[1]"u8, Issuer).ErrorCode);
        Assert.Equal(DiscoveryErrorCodes.InvalidDocument, MetadataDocument.Parse([0xFF, 0xFE, 0x7B, 0x7D], Issuer).ErrorCode);
    }

    [Fact]
    public void The_iss_flag_counts_only_when_it_is_literally_true()
    {
        var document = Document();
        document["authorization_response_iss_parameter_supported"] = "true";

        Assert.False(Parse(document).Metadata!.AuthorizationResponseIssParameterSupported);
    }

    [Theory]
    [InlineData("https://login.example.com/tenant", "https://login.example.com/.well-known/oauth-authorization-server/tenant", "https://login.example.com/tenant/.well-known/openid-configuration")]
    [InlineData("https://login.example.com", "https://login.example.com/.well-known/oauth-authorization-server", "https://login.example.com/.well-known/openid-configuration")]
    [InlineData("http://127.0.0.1:5000/", "http://127.0.0.1:5000/.well-known/oauth-authorization-server", "http://127.0.0.1:5000/.well-known/openid-configuration")]
    public void The_rfc_8414_location_comes_before_the_openid_one(string issuer, string first, string second)
    {
        var locations = DiscoveryLocations.For(issuer, out _)!;

        Assert.Equal([first, second], locations.Select(l => l.AbsoluteUri));
    }

    [Theory]
    [InlineData("http://login.example.com")]
    [InlineData("https://login.example.com/?tenant=a")]
    [InlineData("https://login.example.com/#a")]
    [InlineData("login.example.com")]
    [InlineData("")]
    public void An_issuer_that_is_not_a_plain_https_url_is_refused(string issuer)
    {
        Assert.Null(DiscoveryLocations.For(issuer, out var problem));
        Assert.NotNull(problem);
    }
}
