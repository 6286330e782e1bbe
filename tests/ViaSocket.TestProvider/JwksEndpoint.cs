using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ViaSocket.TestProvider;

/// <summary><c>GET /.well-known/jwks.json</c>: the ID token signing keys (RFC 7517). The query is ignored, so tests can give each their own cache entry.</summary>
public static class JwksEndpoint
{
    public const string Path = "/.well-known/jwks.json";

    internal static void MapJwks(this IEndpointRouteBuilder routes, ProviderRuntime runtime) =>
        routes.MapGet(Path, () => OAuthResults.Json(runtime.IdTokens.KeySet(), StatusCodes.Status200OK));
}
