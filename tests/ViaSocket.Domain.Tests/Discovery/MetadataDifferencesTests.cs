using System.Text;
using System.Text.Json.Nodes;
using ViaSocket.Domain.Definitions;
using ViaSocket.Domain.Discovery;

namespace ViaSocket.Domain.Tests.Discovery;

/// <summary>What the publish re-check reports when the metadata changed since the draft was written.</summary>
public sealed class MetadataDifferencesTests
{
    private static AuthorizationServerMetadata Metadata(Action<JsonObject>? change = null)
    {
        var document = MetadataDocumentTests.Document();
        change?.Invoke(document);
        return MetadataDocument.Parse(Encoding.UTF8.GetBytes(document.ToJsonString()), (string)document["issuer"]!).Metadata!;
    }

    private static readonly AuthVersionDefinition Draft = DefinitionDraft.FromMetadata(Metadata(), "client-1", null, ["read"]);

    private static IEnumerable<string> Codes(AuthorizationServerMetadata now, AuthVersionDefinition? definition = null) =>
        MetadataDifferences.Find(definition ?? Draft, now).Select(d => d.Code);

    [Fact]
    public void Unchanged_metadata_has_no_differences() => Assert.Empty(Codes(Metadata()));

    [Fact]
    public void Changed_endpoints_are_reported()
    {
        var codes = Codes(Metadata(d =>
        {
            d["token_endpoint"] = "https://login.example.com/tenant/oauth2/token";
            d["authorization_endpoint"] = "https://login.example.com/tenant/oauth2/authorize";
            d["jwks_uri"] = "https://login.example.com/tenant/keys";
            d.Remove("revocation_endpoint");
        })).ToList();

        Assert.Equal(2, codes.Count(c => c == MetadataDifferenceCodes.TokenEndpointChanged));
        Assert.Contains(MetadataDifferenceCodes.AuthorizationEndpointChanged, codes);
        Assert.Contains(MetadataDifferenceCodes.JwksUriChanged, codes);
        Assert.Contains(MetadataDifferenceCodes.RevocationEndpointChanged, codes);
    }

    [Fact]
    public void Withdrawn_offers_are_reported()
    {
        var codes = Codes(Metadata(d =>
        {
            d["code_challenge_methods_supported"] = new JsonArray("plain");
            d["token_endpoint_auth_methods_supported"] = new JsonArray("private_key_jwt");
            d["grant_types_supported"] = new JsonArray("authorization_code");
            d["authorization_response_iss_parameter_supported"] = false;
        }));

        Assert.Equal(
            [MetadataDifferenceCodes.PkceNotOffered, MetadataDifferenceCodes.ClientAuthenticationNotOffered, MetadataDifferenceCodes.RefreshNotOffered, MetadataDifferenceCodes.IssParameterNoLongerAdvertised],
            codes);
    }

    [Fact]
    public void Iss_support_newly_advertised_is_reported()
    {
        var withoutFlag = Draft with { Authorization = Draft.Authorization! with { RequireIssuerParameter = false } };

        Assert.Equal([MetadataDifferenceCodes.IssParameterAdvertised], Codes(Metadata(), withoutFlag));
    }

    [Fact]
    public void Templated_urls_and_code_blocks_are_the_authors_own()
    {
        var authored = Draft with
        {
            Authorization = Draft.Authorization! with { Url = "https://${context.authData.tenant}.example.com/authorize" },
            AccessToken = new ApiBlock { Code = "return {};" },
        };

        // Only the drafted Refresh Token request still names the token endpoint.
        Assert.Single(Codes(Metadata(d => d["token_endpoint"] = "https://other.example.com/token"), authored), c => c == MetadataDifferenceCodes.TokenEndpointChanged);
        Assert.DoesNotContain(MetadataDifferenceCodes.AuthorizationEndpointChanged, Codes(Metadata(d => d["authorization_endpoint"] = "https://other.example.com/a"), authored));
    }
}
