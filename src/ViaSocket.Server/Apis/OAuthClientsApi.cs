using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using ViaSocket.Server.Security;
using ViaSocket.Workspaces;

namespace ViaSocket.Server.Apis;

/// <summary>
/// The caller's workspace OAuth clients ("bring your own OAuth app"): a client id and secret the workspace registered
/// at the provider, which connections of a plugin may choose instead of the version's own. The secret is write-only.
/// </summary>
internal static class OAuthClientsApi
{
    public static RouteGroupBuilder MapOAuthClientsApiV1(this IEndpointRouteBuilder endpoints)
    {
        var clients = endpoints.MapGroup("/v1/oauth-clients")
            .WithTags("OAuth clients")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden)
            .AddEndpointFilter<IdentifierRouteFilter>();

        // App credentials are configuration of the workspace's integrations, like the version's own: definitions scopes.
        clients.MapGet("/", ListClients).RequireAuthorization(ApiKeyScopes.DefinitionsRead)
            .WithName("ListOAuthClients").WithSummary("List the workspace's OAuth clients (no secrets)");
        clients.MapPost("/", CreateClient).RequireAuthorization(ApiKeyScopes.DefinitionsWrite)
            .WithName("CreateOAuthClient").WithSummary("Register the workspace's own OAuth client for a plugin")
            .ProducesProblems(StatusCodes.Status422UnprocessableEntity);
        clients.MapGet("/{oauthClientId}", GetClient).RequireAuthorization(ApiKeyScopes.DefinitionsRead)
            .WithName("GetOAuthClient").WithSummary("Get one OAuth client (no secret)")
            .ProducesProblems(StatusCodes.Status404NotFound);
        clients.MapPatch("/{oauthClientId}", UpdateClient).RequireAuthorization(ApiKeyScopes.DefinitionsWrite)
            .WithName("UpdateOAuthClient").WithSummary("Rename, change the client id or rotate the secret of an OAuth client")
            .ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status422UnprocessableEntity);
        clients.MapDelete("/{oauthClientId}", DeleteClient).RequireAuthorization(ApiKeyScopes.DefinitionsWrite)
            .WithName("DeleteOAuthClient").WithSummary("Delete an OAuth client; connections using it need reconnecting")
            .ProducesProblems(StatusCodes.Status404NotFound);
        return clients;
    }

    public static async Task<Results<Ok<OAuthClientListResponse>, ProblemHttpResult>> ListClients([FromQuery] string? pluginId, HttpContext http, IGrainFactory grains)
    {
        if (pluginId is not null && !Identifiers.IsValid(pluginId))
        {
            return Problems.Result(StatusCodes.Status400BadRequest, ApiErrorCodes.InvalidRequest, "pluginId must be an identifier (letters, digits, '_', '-', '.').");
        }

        var clients = await Grain(grains, http).ListAsync(pluginId);
        return TypedResults.Ok(new OAuthClientListResponse([.. clients.Select(OAuthClientResponse.From)]));
    }

    public static async Task<Results<Created<OAuthClientResponse>, ProblemHttpResult>> CreateClient(CreateOAuthClientRequest? request, HttpContext http, IGrainFactory grains)
    {
        var result = await Grain(grains, http).CreateAsync(new CreateOAuthClient(
            request?.PluginId ?? "", request?.VersionId, request?.Name ?? "", request?.ClientId ?? "", request?.ClientSecret ?? ""));
        return result.Succeeded
            ? TypedResults.Created($"/v1/oauth-clients/{result.Client!.OAuthClientId}", OAuthClientResponse.From(result.Client))
            : Problem(result.Error!);
    }

    public static async Task<Results<Ok<OAuthClientResponse>, ProblemHttpResult>> GetClient(string oauthClientId, HttpContext http, IGrainFactory grains) =>
        await Grain(grains, http).GetAsync(oauthClientId) is { } client ? TypedResults.Ok(OAuthClientResponse.From(client)) : NotFound();

    public static async Task<Results<Ok<OAuthClientResponse>, ProblemHttpResult>> UpdateClient(
        string oauthClientId, UpdateOAuthClientRequest? request, HttpContext http, IGrainFactory grains)
    {
        var result = await Grain(grains, http).UpdateAsync(new UpdateOAuthClient(oauthClientId, request?.Name, request?.ClientId, request?.ClientSecret));
        return result.Succeeded ? TypedResults.Ok(OAuthClientResponse.From(result.Client!)) : Problem(result.Error!);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteClient(string oauthClientId, HttpContext http, IGrainFactory grains) =>
        await Grain(grains, http).DeleteAsync(oauthClientId) ? TypedResults.NoContent() : NotFound();

    private static IWorkspaceOAuthClientsGrain Grain(IGrainFactory grains, HttpContext http) =>
        grains.GetGrain<IWorkspaceOAuthClientsGrain>(http.User.WorkspaceIdOf());

    private static ProblemHttpResult NotFound() =>
        Problems.Result(StatusCodes.Status404NotFound, OAuthClientErrorCodes.NotFound, "The OAuth client does not exist.");

    private static ProblemHttpResult Problem(OAuthClientError error) => error.Code == OAuthClientErrorCodes.NotFound
        ? NotFound()
        : Problems.Result(StatusCodes.Status422UnprocessableEntity, error.Code, error.Message);
}

/// <param name="PluginId">The plugin whose connections may use the client.</param>
/// <param name="VersionId">Pins the client to one version of the plugin; omitted, every version may use it.</param>
/// <param name="Name">A label for people, e.g. "Acme production app".</param>
/// <param name="ClientId">The client id the provider issued to the workspace's app.</param>
/// <param name="ClientSecret">The provider-issued secret: write-only, stored encrypted, never returned.</param>
public sealed record CreateOAuthClientRequest(string? PluginId, string? VersionId, string? Name, string? ClientId, string? ClientSecret);

/// <summary>Members omitted keep their value; <c>clientSecret</c> rotates the secret.</summary>
public sealed record UpdateOAuthClientRequest(string? Name, string? ClientId, string? ClientSecret);

/// <summary>An OAuth client as the API shows it: never its secret.</summary>
/// <param name="SecretUpdatedAt">When the secret was last set (created or rotated).</param>
public sealed record OAuthClientResponse(
    [property: JsonPropertyName("oauthClientId")] string OAuthClientId, string PluginId, string? VersionId, string Name, string ClientId, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset SecretUpdatedAt)
{
    public static OAuthClientResponse From(OAuthClientView view) =>
        new(view.OAuthClientId, view.PluginId, view.VersionId, view.Name, view.ClientId, view.CreatedAt, view.UpdatedAt, view.SecretUpdatedAt);
}

public sealed record OAuthClientListResponse(IReadOnlyList<OAuthClientResponse> Items);
