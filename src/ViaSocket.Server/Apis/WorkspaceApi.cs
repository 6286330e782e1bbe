using Microsoft.AspNetCore.Http.HttpResults;
using ViaSocket.Server.Security;
using ViaSocket.Workspaces;

namespace ViaSocket.Server.Apis;

/// <summary>The caller's workspace settings: the hosts connections may return their users to.</summary>
internal static class WorkspaceApi
{
    public static RouteGroupBuilder MapWorkspaceApiV1(this IEndpointRouteBuilder endpoints)
    {
        var workspace = endpoints.MapGroup("/v1/workspace").WithTags("Workspace")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden);
        workspace.MapGet("/settings", GetSettings).RequireAuthorization(ApiKeyScopes.ConnectionsRead)
            .WithName("GetWorkspaceSettings").WithSummary("Get the workspace settings");
        workspace.MapPut("/settings", PutSettings).RequireAuthorization(ApiKeyScopes.ConnectionsWrite)
            .WithName("PutWorkspaceSettings").WithSummary("Replace the workspace settings (allowed return-URL hosts)")
            .ProducesProblems(StatusCodes.Status422UnprocessableEntity);
        return workspace;
    }

    public static async Task<Ok<WorkspaceSettingsResponse>> GetSettings(HttpContext http, IGrainFactory grains)
    {
        var settings = await grains.GetGrain<IWorkspaceSettingsGrain>(http.User.WorkspaceIdOf()).GetAsync();
        return TypedResults.Ok(WorkspaceSettingsResponse.From(settings));
    }

    /// <summary>Replaces the settings; entries are normalized (lower case, IDN as ASCII) in the answer.</summary>
    public static async Task<Results<Ok<WorkspaceSettingsResponse>, ProblemHttpResult>> PutSettings(
        WorkspaceSettingsRequest request, HttpContext http, ReturnUrlPolicy returnUrls)
    {
        var result = await returnUrls.UpdateAsync(http.User.WorkspaceIdOf(), new UpdateWorkspaceSettings(request.AllowedReturnUrlHosts ?? []));
        return result.Succeeded
            ? TypedResults.Ok(WorkspaceSettingsResponse.From(result.Settings!))
            : Problems.Result(StatusCodes.Status422UnprocessableEntity, result.Error!.Code, result.Error.Message);
    }
}

/// <param name="AllowedReturnUrlHosts">
/// Origins a connection's <c>returnUrl</c> may point to: exact hosts or <c>*.example.com</c> (any subdomain), on https
/// port 443; <c>http://localhost:3000</c> or <c>https://*.example.com:8443</c> name another scheme or port. Empty
/// allows none; users then see the service's own result page.
/// </param>
public sealed record WorkspaceSettingsRequest(IReadOnlyList<string>? AllowedReturnUrlHosts);

public sealed record WorkspaceSettingsResponse(IReadOnlyList<string> AllowedReturnUrlHosts, DateTimeOffset? UpdatedAt)
{
    public static WorkspaceSettingsResponse From(WorkspaceSettings settings) => new(settings.AllowedReturnUrlHosts, settings.UpdatedAt);
}
