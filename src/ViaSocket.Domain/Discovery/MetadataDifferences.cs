using ViaSocket.Domain.Definitions;

namespace ViaSocket.Domain.Discovery;

/// <summary>One way a definition no longer matches its issuer's metadata.</summary>
/// <param name="Code">Stable: see <see cref="MetadataDifferenceCodes"/>.</param>
public sealed record MetadataDifference(string Code, string Message);

public static class MetadataDifferenceCodes
{
    public const string AuthorizationEndpointChanged = "authorization_endpoint_changed";
    public const string TokenEndpointChanged = "token_endpoint_changed";
    public const string RevocationEndpointChanged = "revocation_endpoint_changed";
    public const string JwksUriChanged = "jwks_uri_changed";
    public const string PkceNotOffered = "pkce_not_offered";
    public const string ClientAuthenticationNotOffered = "client_authentication_not_offered";
    public const string RefreshNotOffered = "refresh_not_offered";
    public const string IssParameterAdvertised = "iss_parameter_advertised";
    public const string IssParameterNoLongerAdvertised = "iss_parameter_no_longer_advertised";
}

/// <summary>
/// Compares a definition with the metadata its issuer publishes now, so publishing can say what drifted since the
/// draft was written. Only what the definition states literally is compared: templated URLs and code blocks are the
/// author's own.
/// </summary>
public static class MetadataDifferences
{
    public static IReadOnlyList<MetadataDifference> Find(AuthVersionDefinition definition, AuthorizationServerMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(metadata);
        var authorization = definition.Authorization ?? new AuthorizationDefinition();
        var differences = new List<MetadataDifference>();
        CompareUrl(authorization.Url, metadata.AuthorizationEndpoint, MetadataDifferenceCodes.AuthorizationEndpointChanged, "authorization endpoint", differences);
        CompareUrl(definition.AccessToken?.Request?.Url, metadata.TokenEndpoint, MetadataDifferenceCodes.TokenEndpointChanged, "token endpoint (Access Token)", differences);
        CompareUrl(definition.RefreshToken?.Request?.Url, metadata.TokenEndpoint, MetadataDifferenceCodes.TokenEndpointChanged, "token endpoint (Refresh Token)", differences);
        CompareUrl(definition.RevokeToken?.Request?.Url, metadata.RevocationEndpoint, MetadataDifferenceCodes.RevocationEndpointChanged, "revocation endpoint", differences);
        CompareUrl(authorization.JwksUrl, metadata.JwksUri, MetadataDifferenceCodes.JwksUriChanged, "jwks_uri", differences);

        if (authorization.Pkce != PkceModes.None && !metadata.CodeChallengeMethodsSupported.Contains(authorization.Pkce, StringComparer.Ordinal))
        {
            differences.Add(new(MetadataDifferenceCodes.PkceNotOffered, $"The metadata does not offer the PKCE method {authorization.Pkce}."));
        }

        if (ClientAuthMethod(authorization.ClientAuthentication) is { } method && metadata.TokenEndpointAuthMethodsSupported.Count > 0
            && !metadata.TokenEndpointAuthMethodsSupported.Contains(method, StringComparer.Ordinal))
        {
            differences.Add(new(MetadataDifferenceCodes.ClientAuthenticationNotOffered, $"The metadata does not offer the token endpoint authentication method {method}."));
        }

        if (definition.RefreshToken is not null && !DefinitionDraft.OffersRefresh(metadata.GrantTypesSupported))
        {
            differences.Add(new(MetadataDifferenceCodes.RefreshNotOffered, "The metadata does not offer the refresh_token grant."));
        }

        if (metadata.AuthorizationResponseIssParameterSupported && !authorization.RequireIssuerParameter)
        {
            differences.Add(new(MetadataDifferenceCodes.IssParameterAdvertised, "The issuer sends iss in authorization responses: the published version requires it."));
        }
        else if (!metadata.AuthorizationResponseIssParameterSupported && authorization.RequireIssuerParameter)
        {
            differences.Add(new(MetadataDifferenceCodes.IssParameterNoLongerAdvertised,
                "The metadata no longer advertises iss in authorization responses, but this version requires it: callbacks without iss will be refused."));
        }

        return differences;
    }

    private static void CompareUrl(string? stated, string? advertised, string code, string name, List<MetadataDifference> differences)
    {
        if (stated is null || stated.Contains("${", StringComparison.Ordinal) || string.Equals(stated, advertised, StringComparison.Ordinal))
        {
            return;
        }

        differences.Add(new(code, advertised is null
            ? $"The metadata no longer names a {name}; the definition uses {stated}."
            : $"The metadata's {name} is {advertised}; the definition uses {stated}."));
    }

    private static string? ClientAuthMethod(string mode) => mode switch
    {
        ClientAuthModes.Basic or ClientAuthModes.Both => "client_secret_basic",
        ClientAuthModes.Body => "client_secret_post",
        _ => null,
    };
}
