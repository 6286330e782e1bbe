using Microsoft.AspNetCore.Http.HttpResults;
using ViaSocket.Server.Security;
using ViaSocket.Workspaces;

namespace ViaSocket.Server.Apis;

/// <summary>Workspace API keys: created with chosen scopes (the key is shown once), revoked by id.</summary>
internal static class ApiKeysApi
{
    public static RouteGroupBuilder MapApiKeysApiV1(this IEndpointRouteBuilder endpoints)
    {
        var keys = endpoints.MapGroup("/v1/api-keys").WithTags("API keys")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden);
        keys.MapPost("/", CreateKey).RequireAuthorization(ApiKeyScopes.KeysWrite)
            .WithName("CreateApiKey").WithSummary("Create an API key of this workspace (the secret is shown once)")
            .ProducesProblems(StatusCodes.Status422UnprocessableEntity);
        keys.MapDelete("/{keyId}", RevokeKey).RequireAuthorization(ApiKeyScopes.KeysWrite)
            .WithName("RevokeApiKey").WithSummary("Revoke an API key of this workspace")
            .ProducesProblems(StatusCodes.Status404NotFound);
        return keys;
    }

    public const string ScopeEscalationCode = "api_key.scope_escalation";

    /// <summary>
    /// Creates a key for the caller's workspace, with scopes the caller's key holds itself (so only an operator key
    /// mints operator keys). Its secret is in this response only; only a hash is stored.
    /// </summary>
    public static async Task<Results<Created<CreatedApiKeyResponse>, ProblemHttpResult>> CreateKey(CreateApiKeyRequest request, HttpContext http, IGrainFactory grains)
    {
        var unknown = request.Scopes?.Where(s => !ApiKeyScopes.Grantable.Contains(s)).ToList() ?? [];
        if (request.Scopes is not { Count: > 0 } || unknown.Count > 0 || request.Description is { Length: > 200 } || (request.Description is { } description && !Identifiers.IsPlainText(description)))
        {
            return Problems.Result(
                StatusCodes.Status422UnprocessableEntity,
                ApiErrorCodes.InvalidRequest,
                $"scopes must be a non-empty subset of: {string.Join(", ", ApiKeyScopes.Grantable)}; description at most 200 characters, without control or format characters.");
        }

        var scopes = request.Scopes.Distinct(StringComparer.Ordinal).ToList();
        if (ApiKeyScopes.NotHeld(scopes, http.User.ScopesOf()) is { Count: > 0 } notHeld)
        {
            return ScopeEscalation($"This API key cannot grant scopes it does not hold: {string.Join(", ", notHeld)}.");
        }

        var key = ApiKey.Generate();
        var workspaceId = http.User.WorkspaceIdOf();
        await grains.GetGrain<IApiKeyGrain>(key.KeyId).CreateAsync(new ApiKeyRegistration(workspaceId, key.SecretHash(), scopes, request.Description));
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Created($"/v1/api-keys/{key.KeyId}", new CreatedApiKeyResponse(key.KeyId, key.Reveal(), scopes));
    }

    /// <summary>
    /// Revokes a key of the caller's workspace whose scopes the caller's key holds too (a workspace key cannot revoke
    /// the operator's); every front-end stops accepting it at once.
    /// </summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> RevokeKey(string keyId, HttpContext http, IGrainFactory grains, ApiKeyVerificationCache cache)
    {
        var outcome = keyId.Length <= 64 && keyId.All(char.IsAsciiHexDigitLower)
            ? await grains.GetGrain<IApiKeyGrain>(keyId).RevokeAsync(http.User.WorkspaceIdOf(), http.User.ScopesOf())
            : ApiKeyRevocation.NotFound;
        if (outcome == ApiKeyRevocation.Revoked)
        {
            // The cluster's announcement reaches this front-end too, but a moment later: the caller's next request must not find the key.
            cache.Forget(keyId);
            return TypedResults.NoContent();
        }

        return outcome switch
        {
            ApiKeyRevocation.ScopeEscalation => ScopeEscalation("This API key cannot revoke a key with scopes it does not hold."),
            _ => Problems.Result(StatusCodes.Status404NotFound, "api_key.not_found", "The API key does not exist in this workspace."),
        };
    }

    private static ProblemHttpResult ScopeEscalation(string detail) =>
        Problems.Result(StatusCodes.Status403Forbidden, ScopeEscalationCode, detail);
}

public sealed record CreateApiKeyRequest(IReadOnlyList<string>? Scopes, string? Description);

/// <param name="ApiKey">The full key: shown this once, never retrievable again.</param>
public sealed record CreatedApiKeyResponse(string KeyId, string ApiKey, IReadOnlyList<string> Scopes);
