using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using ViaSocket.Events;
using ViaSocket.Server.Security;
using ViaSocket.Workspaces;

namespace ViaSocket.Server.Apis;

/// <summary>
/// Webhook endpoints of the caller's workspace, where connection lifecycle events are POSTed, signed with the
/// workspace's secret. The secret is shown only when it is created (first endpoint) or rotated.
/// </summary>
internal static class WebhooksApi
{
    public static RouteGroupBuilder MapWebhooksApiV1(this IEndpointRouteBuilder endpoints)
    {
        var webhooks = endpoints.MapGroup("/v1/webhooks")
            .WithTags("Webhooks")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden)
            .AddEndpointFilter<IdentifierRouteFilter>();

        webhooks.MapGet("/", ListWebhooks).RequireAuthorization(ApiKeyScopes.ConnectionsRead)
            .WithName("ListWebhooks").WithSummary("List the workspace's webhook endpoints");
        webhooks.MapPost("/", AddWebhook).RequireAuthorization(ApiKeyScopes.ConnectionsWrite)
            .WithName("AddWebhook").WithSummary("Add a webhook endpoint for lifecycle events")
            .ProducesProblems(StatusCodes.Status422UnprocessableEntity);
        webhooks.MapDelete("/{endpointId}", RemoveWebhook).RequireAuthorization(ApiKeyScopes.ConnectionsWrite)
            .WithName("RemoveWebhook").WithSummary("Remove a webhook endpoint")
            .ProducesProblems(StatusCodes.Status404NotFound);
        webhooks.MapPost("/secret:rotate", RotateSecret).RequireAuthorization(ApiKeyScopes.ConnectionsWrite)
            .WithName("RotateWebhookSecret").WithSummary("Rotate the workspace's webhook signing secret, keeping the previous one signing for an overlap")
            .ProducesProblems(StatusCodes.Status422UnprocessableEntity);
        return webhooks;
    }

    public static async Task<Ok<WebhookListResponse>> ListWebhooks(HttpContext http, IGrainFactory grains)
    {
        var endpoints = await Grain(grains, http).ListEndpointsAsync();
        return TypedResults.Ok(new WebhookListResponse([.. endpoints.Select(WebhookResponse.From)]));
    }

    public static async Task<Results<Created<WebhookResponse>, ProblemHttpResult>> AddWebhook(AddWebhookRequest? request, HttpContext http, IGrainFactory grains)
    {
        var result = await Grain(grains, http).AddEndpointAsync(new AddWebhookEndpoint(request?.Url ?? "", request?.Events));
        if (!result.Succeeded)
        {
            return Problems.Result(StatusCodes.Status422UnprocessableEntity, result.Error!.Code, result.Error.Message);
        }

        if (result.NewSigningSecret is not null)
        {
            http.Response.Headers.CacheControl = "no-store";
        }

        var endpoint = result.Endpoint!;
        return TypedResults.Created($"/v1/webhooks/{endpoint.EndpointId}", WebhookResponse.From(endpoint) with { SigningSecret = result.NewSigningSecret });
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> RemoveWebhook(string endpointId, HttpContext http, IGrainFactory grains) =>
        await Grain(grains, http).RemoveEndpointAsync(endpointId)
            ? TypedResults.NoContent()
            : Problems.Result(StatusCodes.Status404NotFound, WebhookErrorCodes.NotFound, "The webhook endpoint does not exist.");

    public static async Task<Results<Ok<WebhookSecretResponse>, ProblemHttpResult>> RotateSecret(
        RotateWebhookSecretRequest? request, HttpContext http, IGrainFactory grains)
    {
        var result = await Grain(grains, http).RotateSecretAsync(new RotateWebhookSecret(request?.Overlap));
        if (!result.Succeeded)
        {
            return Problems.Result(StatusCodes.Status422UnprocessableEntity, result.Error!.Code, result.Error.Message);
        }

        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new WebhookSecretResponse(result.SigningSecret!, result.PreviousSecretValidUntil));
    }

    private static IWorkspaceWebhooksGrain Grain(IGrainFactory grains, HttpContext http) =>
        grains.GetGrain<IWorkspaceWebhooksGrain>(http.User.WorkspaceIdOf());
}

/// <param name="Events">Event kinds to deliver (e.g. <c>reauth_required</c>, <c>revoked</c>); omitted or empty delivers all.</param>
public sealed record AddWebhookRequest(string? Url, IReadOnlyList<string>? Events);

/// <param name="SigningSecret">Present only in the response that created the workspace's secret; store it, it is not shown again.</param>
public sealed record WebhookResponse(
    string EndpointId,
    string Url,
    IReadOnlyList<string> Events,
    DateTimeOffset CreatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SigningSecret = null)
{
    public static WebhookResponse From(WebhookEndpoint endpoint) => new(endpoint.EndpointId, endpoint.Url, endpoint.Events, endpoint.CreatedAt);
}

public sealed record WebhookListResponse(IReadOnlyList<WebhookResponse> Items);

/// <param name="Overlap">
/// How long deliveries are also signed with the previous secret (<c>X-ViaSocket-Signature: v1=&lt;new&gt;,v1=&lt;previous&gt;</c>),
/// as <c>[d.]hh:mm:ss</c>, from <c>00:00:00</c> (none) to 7 days; omitted: <c>ViaSocket:Webhooks:SecretRotationOverlap</c> (24 hours).
/// </param>
public sealed record RotateWebhookSecretRequest(TimeSpan? Overlap);

/// <summary>The new signing secret; shown once.</summary>
/// <param name="PreviousSecretValidUntil">Until when deliveries carry a signature with the previous secret too; absent without overlap.</param>
public sealed record WebhookSecretResponse(
    string SigningSecret,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? PreviousSecretValidUntil = null);
