using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ViaSocket.TestProvider;

/// <summary><c>GET /.well-known/oauth-authorization-server</c> (RFC 8414).</summary>
internal static class MetadataEndpoint
{
    public const string Path = "/.well-known/oauth-authorization-server";

    public static void MapMetadata(this IEndpointRouteBuilder routes, ProviderRuntime runtime) =>
        routes.MapGet(Path, () => OAuthResults.Json(Document(runtime.Issuer), StatusCodes.Status200OK));

    private static JsonObject Document(string issuer) => new()
    {
        ["issuer"] = issuer,
        ["authorization_endpoint"] = issuer + AuthorizeEndpoint.Path,
        ["token_endpoint"] = issuer + TokenEndpoint.Path,
        ["revocation_endpoint"] = issuer + RevocationEndpoint.Path,
        ["userinfo_endpoint"] = issuer + ProtectedResourceEndpoints.UserInfoPath,
        ["response_types_supported"] = new JsonArray(OAuthWire.CodeResponseType),
        ["grant_types_supported"] = new JsonArray(OAuthWire.GrantTypes.AuthorizationCode, OAuthWire.GrantTypes.RefreshToken),
        ["code_challenge_methods_supported"] = new JsonArray(OAuthWire.PkceMethods.S256, OAuthWire.PkceMethods.Plain),
        ["token_endpoint_auth_methods_supported"] =
            new JsonArray(OAuthWire.AuthMethodNames.ClientSecretBasic, OAuthWire.AuthMethodNames.ClientSecretPost),
        ["authorization_response_iss_parameter_supported"] = true,
    };
}
