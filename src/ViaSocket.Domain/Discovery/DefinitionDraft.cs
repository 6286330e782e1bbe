using ViaSocket.Domain.Definitions;

namespace ViaSocket.Domain.Discovery;

/// <summary>
/// A draft definition filled from an issuer's metadata: the authorize URL, declarative Access Token, Refresh Token,
/// Revoke Token and Test Me requests against the advertised endpoints, PKCE and client authentication as offered,
/// and allowed URLs covering the endpoints. The author reviews it before publishing.
/// </summary>
public static class DefinitionDraft
{
    public const string AccessTokenTemplate = "${context.authData.accesstokencode.access_token}";

    /// <summary>Test Me is required; without a userinfo endpoint the author has to say which call identifies the account.</summary>
    public const string NoUserinfoTestMe = "// The issuer advertises no userinfo endpoint: call an API that identifies the account and return its answer.\nreturn {};";

    /// <summary>Builds the draft; <paramref name="clientSecret"/> goes into the document as any write-only secret does.</summary>
    public static AuthVersionDefinition FromMetadata(AuthorizationServerMetadata metadata, string? clientId, string? clientSecret, IReadOnlyList<string> scopes)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var pkce = ChoosePkce(metadata.CodeChallengeMethodsSupported);
        var clientAuthentication = ChooseClientAuthentication(metadata.TokenEndpointAuthMethodsSupported);
        var bearer = new Dictionary<string, string> { ["Authorization"] = "Bearer " + AccessTokenTemplate };
        return new AuthVersionDefinition
        {
            Authorization = new AuthorizationDefinition
            {
                Url = metadata.AuthorizationEndpoint,
                ClientId = clientId,
                ClientSecret = clientSecret,
                Scopes = scopes,
                Pkce = pkce,
                ClientAuthentication = clientAuthentication,
                Issuer = metadata.Issuer,
                RequireIssuerParameter = metadata.AuthorizationResponseIssParameterSupported,
                JwksUrl = metadata.JwksUri,
            },
            AccessToken = TokenRequest(metadata.TokenEndpoint, clientAuthentication, new Dictionary<string, string>
            {
                ["grant_type"] = "authorization_code",
                ["code"] = "${context.authData.code}",
                ["redirect_uri"] = "${context.redirectUri}",
            }.Concat(pkce == PkceModes.None ? [] : [new("code_verifier", "${context.codeVerifier}")])),
            RefreshToken = OffersRefresh(metadata.GrantTypesSupported)
                ? TokenRequest(metadata.TokenEndpoint, clientAuthentication, new Dictionary<string, string>
                {
                    ["grant_type"] = "refresh_token",
                    ["refresh_token"] = "${context.authData.accesstokencode.refresh_token}",
                })
                : null,
            RevokeToken = metadata.RevocationEndpoint is { } revocation
                ? TokenRequest(revocation, clientAuthentication, new Dictionary<string, string>
                {
                    // Revoking the refresh token ends the whole grant (RFC 7009 section 2.1); the hint is optional.
                    ["token"] = "${context.authData.accesstokencode.refresh_token ?? context.authData.accesstokencode.access_token}",
                })
                : null,
            TestMe = metadata.UserinfoEndpoint is { } userinfo
                ? new ApiBlock { Request = new RequestDefinition { Method = "GET", Url = userinfo, Headers = bearer } }
                : new ApiBlock { Code = NoUserinfoTestMe },
            ConnectionLabel = metadata.UserinfoEndpoint is null ? null : "${context.authData.testme.email ?? context.authData.testme.sub}",
            UniqueIdentifier = metadata.UserinfoEndpoint is null ? null : "${context.authData.testme.sub}",
            AllowedUrls = [.. metadata.Endpoints().Distinct(StringComparer.Ordinal)],
            Append = new AppendDefinition { Headers = bearer },
        };
    }

    /// <summary>S256 when offered; plain only when it is all that is offered; none when the server names no method.</summary>
    public static string ChoosePkce(IReadOnlyList<string> offered) =>
        offered.Contains(PkceModes.S256, StringComparer.Ordinal) ? PkceModes.S256
        : offered.Contains(PkceModes.Plain, StringComparer.Ordinal) ? PkceModes.Plain
        : PkceModes.None;

    /// <summary>client_secret_basic when offered or nothing is said (the RFC 8414 default), else client_secret_post; a public client authenticates in no way but its client_id in the body.</summary>
    public static string ChooseClientAuthentication(IReadOnlyList<string> offered) =>
        offered.Count == 0 || offered.Contains("client_secret_basic", StringComparer.Ordinal) ? ClientAuthModes.Basic
        : offered.Contains("client_secret_post", StringComparer.Ordinal) ? ClientAuthModes.Body
        : ClientAuthModes.Block;

    /// <summary>Offered, or not known not to be: RFC 8414 lists no default that excludes it for most servers.</summary>
    public static bool OffersRefresh(IReadOnlyList<string> grantTypes) =>
        grantTypes.Count == 0 || grantTypes.Contains("refresh_token", StringComparer.Ordinal);

    private static ApiBlock TokenRequest(string url, string clientAuthentication, IEnumerable<KeyValuePair<string, string>> body)
    {
        var form = new Dictionary<string, string>(body, StringComparer.Ordinal);
        if (clientAuthentication == ClientAuthModes.Block)
        {
            // A public client (token_endpoint_auth_method none) identifies itself with client_id alone.
            form["client_id"] = "${context.clientId}";
        }

        return new ApiBlock { Request = new RequestDefinition { Method = "POST", Url = url, BodyType = BodyTypes.Form, Body = form } };
    }
}
