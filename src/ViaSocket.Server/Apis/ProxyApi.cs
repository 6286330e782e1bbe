using Microsoft.AspNetCore.Http.HttpResults;
using ViaSocket.Connections;
using ViaSocket.Server.Proxy;
using ViaSocket.Server.Security;
using ViaSocket.Workspaces;

namespace ViaSocket.Server.Apis;

internal static class ProxyApi
{
    public static RouteGroupBuilder MapProxyApiV1(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/v1/connections/{connectionId}")
            .WithTags("Connections")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden)
            .AddEndpointFilter<IdentifierRouteFilter>();
        group.MapPost("/proxy", Proxy).RequireAuthorization(ApiKeyScopes.CredentialsRead)
            .WithName("ProxyConnectionRequest").WithSummary("Send a request with the connection's credentials to an allowed URL")
            .ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status422UnprocessableEntity, StatusCodes.Status502BadGateway, StatusCodes.Status503ServiceUnavailable);
        return group;
    }

    /// <summary>Sends the request with the connection's credentials; the provider's answer comes back as data.</summary>
    public static async Task<Results<Ok<ProxyResponse>, ProblemHttpResult>> Proxy(
        string connectionId, ProxyRequest request, HttpContext http, IGrainFactory grains, ConnectionProxy proxy)
    {
        var connection = grains.GetGrain<IConnectionGrain>(GrainKeys.Connection(http.User.WorkspaceIdOf(), connectionId));
        var outcome = await proxy.SendAsync(connection, request, http.RequestAborted);
        if (outcome.Response is { } response)
        {
            return TypedResults.Ok(response);
        }

        var error = outcome.Error!;
        return error.Code switch
        {
            ConnectionProxy.InvalidRequest => Problems.Result(StatusCodes.Status422UnprocessableEntity, error.Code, error.Message),
            ConnectionProxy.UrlNotAllowed => Problems.Result(StatusCodes.Status403Forbidden, error.Code, error.Message),
            ConnectionProxy.UpstreamFailed => Problems.Result(StatusCodes.Status502BadGateway, error.Code, error.Message),
            _ => ErrorResults.For(error),
        };
    }
}
