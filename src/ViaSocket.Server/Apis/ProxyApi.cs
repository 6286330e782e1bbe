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

        // Apply sends nothing, so unlike the proxy it may be retried while a dead silo is being detected.
        group.MapPost("/credentials:apply", ApplyCredentials).RequireAuthorization(ApiKeyScopes.CredentialsRead)
            .AddEndpointFilter<ClusterCallRetryFilter>()
            .WithName("ApplyCredentials").WithSummary("Return a request with the connection's credentials merged in, without sending it (allowed URLs only)")
            .ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status422UnprocessableEntity, StatusCodes.Status502BadGateway, StatusCodes.Status503ServiceUnavailable);
        return group;
    }

    /// <summary>Sends the request with the connection's credentials; the provider's answer comes back as data.</summary>
    public static async Task<Results<Ok<ProxyResponse>, ProblemHttpResult>> Proxy(
        string connectionId, ProxyRequest request, HttpContext http, IGrainFactory grains, ConnectionProxy proxy)
    {
        var outcome = await proxy.SendAsync(Grain(grains, http, connectionId), request, http.RequestAborted);
        return outcome.Response is { } response ? TypedResults.Ok(response) : ProblemFor(outcome.Error!, outcome.RetryAfter, http.Response);
    }

    /// <summary>The request as the engine should send it: credential query, headers and body members merged in.</summary>
    public static async Task<Results<Ok<AppliedRequest>, ProblemHttpResult>> ApplyCredentials(
        string connectionId, ProxyRequest request, HttpContext http, IGrainFactory grains)
    {
        http.Response.Headers.CacheControl = "no-store";
        var outcome = await ConnectionProxy.ApplyAsync(Grain(grains, http, connectionId), request);
        return outcome.Request is { } applied ? TypedResults.Ok(applied) : ProblemFor(outcome.Error!, outcome.RetryAfter, http.Response);
    }

    private static IConnectionGrain Grain(IGrainFactory grains, HttpContext http, string connectionId) =>
        grains.GetGrain<IConnectionGrain>(GrainKeys.Connection(http.User.WorkspaceIdOf(), connectionId));

    private static ProblemHttpResult ProblemFor(ConnectionError error, TimeSpan? retryAfter, HttpResponse response) => error.Code switch
    {
        ConnectionProxy.InvalidRequest => Problems.Result(StatusCodes.Status422UnprocessableEntity, error.Code, error.Message),
        ConnectionProxy.UrlNotAllowed => Problems.Result(StatusCodes.Status403Forbidden, error.Code, error.Message),
        ConnectionProxy.UpstreamFailed => Problems.Result(StatusCodes.Status502BadGateway, error.Code, error.Message),
        _ => ErrorResults.For(new CredentialsResult(null, error, retryAfter), response),
    };
}
