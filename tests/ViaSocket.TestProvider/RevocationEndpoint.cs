using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace ViaSocket.TestProvider;

/// <summary><c>POST /revoke</c> (RFC 7009): revokes the whole grant the token belongs to.</summary>
internal static class RevocationEndpoint
{
    public const string Path = "/revoke";

    public static void MapRevocation(this IEndpointRouteBuilder routes, ProviderRuntime runtime) =>
        routes.MapPost(Path, Task<IResult> (HttpContext http) => HandleAsync(http, runtime));

    private static async Task<IResult> HandleAsync(HttpContext http, ProviderRuntime runtime)
    {
        runtime.Counters.CountRevokeCall();
        if (!http.Request.HasFormContentType)
        {
            return OAuthResults.Error(http.Response, OAuthError.InvalidRequest("The body must be application/x-www-form-urlencoded."));
        }

        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var authentication = ClientAuthenticator.Authenticate(http.Request, form, runtime.Directory);
        if (authentication.Client is not { } client)
        {
            return OAuthResults.Error(http.Response, authentication.Error!);
        }

        if (form[OAuthWire.Parameters.Token].ToString() is not { Length: > 0 } token)
        {
            return OAuthResults.Error(http.Response, OAuthError.InvalidRequest("The token parameter is required."));
        }

        // RFC 7009 2.2: unknown tokens and tokens of other clients still get 200, so nothing leaks; token_type_hint is only a hint.
        runtime.Store.RevokeGrantOf(token, client.ClientId);
        return Results.Ok();
    }
}
