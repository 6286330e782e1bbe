using Microsoft.AspNetCore.Http.HttpResults;
using ViaSocket.Connections;
using ViaSocket.Server.Security;
using ViaSocket.Workspaces;

namespace ViaSocket.Server.Apis;

/// <summary><c>POST /v1/connections/{connectionId}/archive</c>: removes a revoked connection from the lists.</summary>
internal static class ConnectionArchiveApi
{
    public static void MapArchiveConnection(this RouteGroupBuilder connections) =>
        connections.MapPost("/{connectionId}/archive", Archive).RequireAuthorization(ApiKeyScopes.ConnectionsWrite)
            .WithName("ArchiveConnection").WithSummary("Remove a revoked connection's record, history and list entry")
            .ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);

    public static async Task<Results<NoContent, ProblemHttpResult>> Archive(string connectionId, HttpContext http, IGrainFactory grains)
    {
        var error = await grains.GetGrain<IConnectionGrain>(GrainKeys.Connection(http.User.WorkspaceIdOf(), connectionId)).ArchiveAsync();
        return error is null ? TypedResults.NoContent() : ErrorResults.For(error);
    }
}
