using System.Text;
using ViaSocket.Domain.Definitions;
using ViaSocket.Domain.Discovery;
using ViaSocket.Domain.Validation;

namespace ViaSocket.Domain.Tests.Discovery;

/// <summary>The draft filled from metadata validates as written and follows what the issuer offers.</summary>
public sealed class DefinitionDraftTests
{
    private static AuthorizationServerMetadata Metadata(Action<System.Text.Json.Nodes.JsonObject>? change = null)
    {
        var document = MetadataDocumentTests.Document();
        change?.Invoke(document);
        return MetadataDocument.Parse(Encoding.UTF8.GetBytes(document.ToJsonString()), (string)document["issuer"]!).Metadata!;
    }

    private static AuthVersionDefinition Draft(AuthorizationServerMetadata metadata) =>
        DefinitionDraft.FromMetadata(metadata, "client-1", "client-secret-long-enough", ["read"]);

    [Fact]
    public void A_full_metadata_document_gives_a_valid_draft_with_every_block()
    {
        var draft = Draft(Metadata());

        Assert.Empty(DefinitionValidator.Validate(draft));
        var authorization = draft.Authorization!;
        Assert.Equal("https://login.example.com/tenant/authorize", authorization.Url);
        Assert.Equal("https://login.example.com/tenant", authorization.Issuer);
        Assert.True(authorization.RequireIssuerParameter);
        Assert.Equal("https://login.example.com/tenant/jwks", authorization.JwksUrl);
        Assert.Equal(PkceModes.S256, authorization.Pkce);
        Assert.Equal(ClientAuthModes.Body, authorization.ClientAuthentication);
        Assert.Equal("https://login.example.com/tenant/token", draft.AccessToken!.Request!.Url);
        Assert.Equal("${context.codeVerifier}", draft.AccessToken.Request.Body["code_verifier"]);
        Assert.Equal("refresh_token", draft.RefreshToken!.Request!.Body["grant_type"]);
        Assert.Equal("https://login.example.com/tenant/revoke", draft.RevokeToken!.Request!.Url);
        Assert.Equal("https://api.example.com/userinfo", draft.TestMe!.Request!.Url);
        Assert.Equal(
            ["https://login.example.com/tenant/token", "https://login.example.com/tenant/revoke", "https://api.example.com/userinfo", "https://login.example.com/tenant/introspect"],
            draft.AllowedUrls);
    }

    [Fact]
    public void A_minimal_document_gives_a_valid_draft_the_author_completes()
    {
        var draft = Draft(Metadata(d =>
        {
            foreach (var name in new[] { "revocation_endpoint", "userinfo_endpoint", "introspection_endpoint", "jwks_uri", "code_challenge_methods_supported", "authorization_response_iss_parameter_supported" })
            {
                d.Remove(name);
            }

            d["grant_types_supported"] = new System.Text.Json.Nodes.JsonArray("authorization_code");
            d["token_endpoint_auth_methods_supported"] = new System.Text.Json.Nodes.JsonArray("none");
        }));

        Assert.Empty(DefinitionValidator.Validate(draft));
        Assert.Equal(PkceModes.None, draft.Authorization!.Pkce);
        Assert.False(draft.Authorization.RequireIssuerParameter);
        Assert.Null(draft.Authorization.JwksUrl);
        Assert.False(draft.AccessToken!.Request!.Body.ContainsKey("code_verifier"));
        Assert.Equal("${context.clientId}", draft.AccessToken.Request.Body["client_id"]);
        Assert.Null(draft.RefreshToken);
        Assert.Null(draft.RevokeToken);
        Assert.Equal(DefinitionDraft.NoUserinfoTestMe, draft.TestMe!.Code);
    }

    [Theory]
    [InlineData(new[] { "S256", "plain" }, PkceModes.S256)]
    [InlineData(new[] { "plain", "S256" }, PkceModes.S256)]
    [InlineData(new[] { "plain" }, PkceModes.Plain)]
    [InlineData(new string[0], PkceModes.None)]
    [InlineData(new[] { "S512" }, PkceModes.None)]
    public void Pkce_is_S256_when_offered_plain_only_when_alone(string[] offered, string expected) =>
        Assert.Equal(expected, DefinitionDraft.ChoosePkce(offered));

    [Theory]
    [InlineData(new string[0], ClientAuthModes.Basic)]
    [InlineData(new[] { "client_secret_post", "client_secret_basic" }, ClientAuthModes.Basic)]
    [InlineData(new[] { "client_secret_post" }, ClientAuthModes.Body)]
    [InlineData(new[] { "none" }, ClientAuthModes.Block)]
    public void Client_authentication_follows_the_offered_methods(string[] offered, string expected) =>
        Assert.Equal(expected, DefinitionDraft.ChooseClientAuthentication(offered));

    [Fact]
    public void Refresh_is_drafted_when_offered_or_unknown()
    {
        Assert.True(DefinitionDraft.OffersRefresh([]));
        Assert.True(DefinitionDraft.OffersRefresh(["authorization_code", "refresh_token"]));
        Assert.False(DefinitionDraft.OffersRefresh(["authorization_code"]));
    }
}
