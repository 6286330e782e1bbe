using Microsoft.AspNetCore.Http.HttpResults;
using ViaSocket.Connections;
using ViaSocket.Server.Security;
using ViaSocket.Workspaces;

namespace ViaSocket.Server.Apis;

/// <summary><c>GET /v1/connections/{id}/metadata</c>: what engines may know about a connection without its credentials.</summary>
internal static class ConnectionMetadataApi
{
    public static RouteGroupBuilder MapConnectionMetadataApiV1(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/v1/connections/{connectionId}")
            .WithTags("Connections")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden)
            .AddEndpointFilter<IdentifierRouteFilter>();

        // The same scope as reading the connection: the answer holds no token material.
        group.MapGet("/metadata", GetMetadata).RequireAuthorization(ApiKeyScopes.ConnectionsRead)
            .WithName("GetConnectionMetadata").WithSummary("Get the connection's status, base URL and public extras (no token material)")
            .ProducesProblems(StatusCodes.Status404NotFound);
        return group;
    }

    public static async Task<Results<Ok<ConnectionMetadataResponse>, ProblemHttpResult>> GetMetadata(string connectionId, HttpContext http, IGrainFactory grains)
    {
        var metadata = await grains.GetGrain<IConnectionGrain>(GrainKeys.Connection(http.User.WorkspaceIdOf(), connectionId)).GetMetadataAsync();
        return metadata is null ? ErrorResults.NotFound() : TypedResults.Ok(ConnectionMetadataResponse.From(metadata));
    }
}

/// <param name="BaseUrl">Null when the version declares none or it cannot be rendered for this connection.</param>
/// <param name="Extras">The version's public extras; one whose value has not arrived is absent.</param>
/// <param name="GrantedScopes">What the provider granted; null before the first authorization.</param>
public sealed record ConnectionMetadataResponse(
    string ConnectionId,
    string PluginId,
    string VersionId,
    string Status,
    string? BaseUrl,
    IReadOnlyDictionary<string, string> Extras,
    IReadOnlyList<string>? GrantedScopes)
{
    public static ConnectionMetadataResponse From(ConnectionMetadata metadata) => new(
        metadata.ConnectionId, metadata.PluginId, metadata.VersionId, metadata.Status.ToWireName(), metadata.BaseUrl, metadata.Extras, metadata.GrantedScopes);
}
