using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ViaSocket.TestProvider;

/// <summary>
/// The issuer's metadata: <c>GET /.well-known/oauth-authorization-server</c> (RFC 8414) and the same document at
/// <c>GET /.well-known/openid-configuration</c> (OpenID Connect discovery). Tests change what is served through
/// <see cref="TestAuthorizationServer.EditMetadata"/>.
/// </summary>
public static class MetadataEndpoint
{
    public const string Path = "/.well-known/oauth-authorization-server";
    public const string OpenIdPath = "/.well-known/openid-configuration";

    /// <summary>The scopes the document offers; the server itself accepts any scope a client may ask for.</summary>
    public static readonly IReadOnlyList<string> ScopesSupported = ["openid", "profile", "email", "read", "write"];

    internal static void MapMetadata(this IEndpointRouteBuilder routes, ProviderRuntime runtime)
    {
        routes.MapGet(Path, () => Serve(runtime, Path));
        routes.MapGet(OpenIdPath, () => Serve(runtime, OpenIdPath));
    }

    private static IResult Serve(ProviderRuntime runtime, string path)
    {
        var document = Document(runtime.Issuer);
        if (runtime.EditMetadata is { } edit && !edit(document, path))
        {
            return Results.NotFound();
        }

        return OAuthResults.Json(document, StatusCodes.Status200OK);
    }

    private static JsonObject Document(string issuer) => new()
    {
        ["issuer"] = issuer,
        ["authorization_endpoint"] = issuer + AuthorizeEndpoint.Path,
        ["token_endpoint"] = issuer + TokenEndpoint.Path,
        ["revocation_endpoint"] = issuer + RevocationEndpoint.Path,
        ["userinfo_endpoint"] = issuer + ProtectedResourceEndpoints.UserInfoPath,
        ["jwks_uri"] = issuer + JwksEndpoint.Path,
        ["scopes_supported"] = new JsonArray([.. ScopesSupported.Select(scope => JsonValue.Create(scope))]),
        ["response_types_supported"] = new JsonArray(OAuthWire.CodeResponseType),
        ["grant_types_supported"] = new JsonArray(OAuthWire.GrantTypes.AuthorizationCode, OAuthWire.GrantTypes.RefreshToken),
        ["code_challenge_methods_supported"] = new JsonArray(OAuthWire.PkceMethods.S256, OAuthWire.PkceMethods.Plain),
        ["token_endpoint_auth_methods_supported"] =
            new JsonArray(OAuthWire.AuthMethodNames.ClientSecretBasic, OAuthWire.AuthMethodNames.ClientSecretPost),
        ["authorization_response_iss_parameter_supported"] = true,
    };
}
