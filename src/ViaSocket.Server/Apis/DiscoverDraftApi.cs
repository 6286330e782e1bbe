using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ViaSocket.AuthVersions;
using ViaSocket.Blocks.Discovery;
using ViaSocket.Blocks.Http;
using ViaSocket.Domain.Definitions;
using ViaSocket.Domain.Discovery;
using ViaSocket.Server.Security;
using ViaSocket.Workspaces;

namespace ViaSocket.Server.Apis;

/// <summary>A draft auth version from an issuer URL: the issuer's metadata (RFC 8414 or OpenID Connect discovery) fills it in.</summary>
internal static class DiscoverDraftApi
{
    public static void MapDiscoverDraft(this RouteGroupBuilder plugins) =>
        plugins.MapPost("/{versionId}/discover", DiscoverAsync).RequireAuthorization(ApiKeyScopes.DefinitionsWrite)
            .WithName("DiscoverAuthVersionDraft").WithSummary("Create or replace a draft from an issuer's metadata")
            .ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status422UnprocessableEntity, StatusCodes.Status502BadGateway);

    public static async Task<Results<Ok<DiscoverResponse>, ProblemHttpResult>> DiscoverAsync(
        string pluginId, string versionId, DiscoverRequest request, HttpContext http, IGrainFactory grains, OutboundHttpClient outbound, IOptions<ServerOptions> options)
    {
        var discovery = await MetadataDiscovery.DiscoverAsync(outbound, request.Issuer, http.RequestAborted);
        if (discovery.Metadata is not { } metadata)
        {
            // The author's input is at fault for a bad or forbidden issuer; otherwise the issuer's host is.
            var status = discovery.ErrorCode is DiscoveryErrorCodes.InvalidIssuer or DiscoveryErrorCodes.AddressRefused
                ? StatusCodes.Status422UnprocessableEntity
                : StatusCodes.Status502BadGateway;
            return Problems.Result(status, discovery.ErrorCode!, discovery.Message!);
        }

        var definition = DefinitionDraft.FromMetadata(metadata, request.ClientId, request.ClientSecret, request.Scopes ?? []);
        var grain = grains.GetGrain<IAuthVersionGrain>(GrainKeys.AuthVersion(http.User.WorkspaceIdOf(), pluginId, versionId));
        var result = await grain.PutDraftAsync(DefinitionJson.Serialize(definition));
        return result.Succeeded
            ? TypedResults.Ok(new DiscoverResponse(AuthVersionResponse.From(result.Version!, options.Value.RedirectUri), metadata))
            : AuthVersionsApi.ToProblem(result);
    }
}

/// <param name="ClientSecret">Write-only, as in a definition: stored encrypted, never returned.</param>
/// <param name="Scopes">The scopes every connection asks for; pick them from the metadata's <c>scopesSupported</c>.</param>
public sealed record DiscoverRequest(string? Issuer, string? ClientId, string? ClientSecret, IReadOnlyList<string>? Scopes);

/// <param name="Draft">The saved draft, to review and publish.</param>
/// <param name="Metadata">What the issuer advertises, e.g. the scopes to offer as choices.</param>
public sealed record DiscoverResponse(AuthVersionResponse Draft, AuthorizationServerMetadata Metadata);
