using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ViaSocket.AuthVersions;
using ViaSocket.Server.Security;
using ViaSocket.Workspaces;

namespace ViaSocket.Server.Apis;

/// <summary>The definitions API (SPEC section 5): auth versions per plugin, scoped to the caller's workspace.</summary>
internal static class AuthVersionsApi
{
    public const int MaxDefinitionBytes = 256 * 1024;

    public static RouteGroupBuilder MapAuthVersionsApiV1(this IEndpointRouteBuilder endpoints)
    {
        var plugins = endpoints.MapGroup("/v1/plugins/{pluginId}/auth-versions")
            .WithTags("Auth versions")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden)
            .AddEndpointFilter<IdentifierRouteFilter>();

        plugins.MapGet("/", ListVersions).RequireAuthorization(ApiKeyScopes.DefinitionsRead)
            .WithName("ListAuthVersions").WithSummary("List the auth versions of a plugin");
        plugins.MapGet("/{versionId}", GetVersion).RequireAuthorization(ApiKeyScopes.DefinitionsRead)
            .WithName("GetAuthVersion").WithSummary("Get an auth version")
            .ProducesProblems(StatusCodes.Status404NotFound);
        plugins.MapPut("/{versionId}", PutDraft).RequireAuthorization(ApiKeyScopes.DefinitionsWrite)
            .WithName("PutAuthVersionDraft").WithSummary("Create or replace a draft auth version").Accepts<Domain.Definitions.AuthVersionDefinition>("application/json")
            .ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status413RequestEntityTooLarge, StatusCodes.Status415UnsupportedMediaType, StatusCodes.Status422UnprocessableEntity);
        plugins.MapPost("/{versionId}/publish", Publish).RequireAuthorization(ApiKeyScopes.DefinitionsWrite)
            .WithName("PublishAuthVersion").WithSummary("Publish a draft (immutable afterwards)")
            .ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status422UnprocessableEntity);
        plugins.MapDelete("/{versionId}", DeleteDraft).RequireAuthorization(ApiKeyScopes.DefinitionsWrite)
            .WithName("DeleteAuthVersionDraft").WithSummary("Delete a draft auth version")
            .ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict);
        plugins.MapDiscoverDraft();
        plugins.MapPost("/{versionId}/test-runs", TestRun).RequireAuthorization(ApiKeyScopes.DefinitionsWrite)
            .WithName("TestRunBlock").WithSummary("Run one API block with sample authData (author test run)")
            .ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status422UnprocessableEntity);
        return plugins;
    }

    public static async Task<Ok<AuthVersionListResponse>> ListVersions(string pluginId, HttpContext http, IGrainFactory grains)
    {
        var workspaceId = http.User.WorkspaceIdOf();
        var versionIds = await grains.GetGrain<IPluginGrain>(GrainKeys.Plugin(workspaceId, pluginId)).ListVersionsAsync();
        var views = await Task.WhenAll(versionIds.Select(v => grains.GetGrain<IAuthVersionGrain>(GrainKeys.AuthVersion(workspaceId, pluginId, v)).GetAsync()));
        return TypedResults.Ok(new AuthVersionListResponse([.. views.OfType<AuthVersionView>().Select(v => AuthVersionResponse.From(v, null))]));
    }

    public static async Task<Results<Ok<AuthVersionResponse>, ProblemHttpResult>> GetVersion(
        string pluginId, string versionId, HttpContext http, IGrainFactory grains, IOptions<ServerOptions> options)
    {
        var view = await Grain(grains, http, pluginId, versionId).GetAsync();
        return view is null
            ? Problems.Result(StatusCodes.Status404NotFound, AuthVersionErrorCodes.NotFound, $"Version '{versionId}' of plugin '{pluginId}' does not exist.")
            : TypedResults.Ok(AuthVersionResponse.From(view, options.Value.RedirectUri));
    }

    public static async Task<Results<Ok<AuthVersionResponse>, ProblemHttpResult>> PutDraft(
        string pluginId, string versionId, HttpContext http, IGrainFactory grains, IOptions<ServerOptions> options)
    {
        var body = await RequestBodies.ReadJsonTextAsync(http.Request, MaxDefinitionBytes);
        if (body.Problem is not null)
        {
            return body.Problem;
        }

        var result = await Grain(grains, http, pluginId, versionId).PutDraftAsync(body.Text!);
        return ToResponse(result, options.Value);
    }

    public static async Task<Results<Ok<AuthVersionResponse>, ProblemHttpResult>> Publish(
        string pluginId, string versionId, HttpContext http, IGrainFactory grains, IOptions<ServerOptions> options) =>
        ToResponse(await Grain(grains, http, pluginId, versionId).PublishAsync(), options.Value);

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteDraft(string pluginId, string versionId, HttpContext http, IGrainFactory grains)
    {
        var result = await Grain(grains, http, pluginId, versionId).DeleteDraftAsync();
        return result.Succeeded ? TypedResults.NoContent() : ToProblem(result);
    }

    /// <summary>Runs one block of a draft or published version with sample data; answers with its result, console and HTTP trace.</summary>
    public static async Task<Results<Ok<TestRunResponse>, ProblemHttpResult>> TestRun(
        string pluginId, string versionId, TestRunRequest request, HttpContext http, IGrainFactory grains, IOptions<ServerOptions> options)
    {
        var workspaceId = http.User.WorkspaceIdOf();
        var run = await grains.GetGrain<IBlockTestRunGrain>(workspaceId).RunAsync(new BlockTestRun(
            pluginId, versionId, request.Block ?? "", (request.AuthData ?? []).ToJsonString(), request.InputData?.ToJsonString(), request.CodeVerifier,
            options.Value.RedirectUri.AbsoluteUri));
        if (run.Failure is { Kind: "Request" } refused)
        {
            var status = refused.Code == AuthVersionErrorCodes.NotFound ? StatusCodes.Status404NotFound : StatusCodes.Status422UnprocessableEntity;
            return Problems.Result(status, refused.Code, refused.Message);
        }

        var failure = run.Failure is { } f
            ? new TestRunFailure(f.Code, f.Kind, f.Message, f.HttpStatus, f.ResponseDataJson is null ? null : JsonNode.Parse(f.ResponseDataJson))
            : null;
        return TypedResults.Ok(new TestRunResponse(run.ResultJson is null ? null : JsonNode.Parse(run.ResultJson), failure, run.Console, run.Http, run.DurationMs));
    }

    private static IAuthVersionGrain Grain(IGrainFactory grains, HttpContext http, string pluginId, string versionId) =>
        grains.GetGrain<IAuthVersionGrain>(GrainKeys.AuthVersion(http.User.WorkspaceIdOf(), pluginId, versionId));

    private static Results<Ok<AuthVersionResponse>, ProblemHttpResult> ToResponse(AuthVersionResult result, ServerOptions options) =>
        result.Succeeded ? TypedResults.Ok(AuthVersionResponse.From(result.Version!, options.RedirectUri, result.MetadataCheck)) : ToProblem(result);

    internal static ProblemHttpResult ToProblem(AuthVersionResult result)
    {
        var status = result.ErrorCode switch
        {
            AuthVersionErrorCodes.NotFound => StatusCodes.Status404NotFound,
            AuthVersionErrorCodes.Published or AuthVersionErrorCodes.NotPublished => StatusCodes.Status409Conflict,
            _ => StatusCodes.Status422UnprocessableEntity,
        };
        var extensions = result.Problems.Count == 0
            ? null
            : new Dictionary<string, object?> { [Problems.ErrorsKey] = result.Problems.Select(p => new { pointer = p.Pointer, code = p.Code, detail = p.Message }).ToArray() };
        return Problems.Result(status, result.ErrorCode!, result.ErrorMessage ?? "", extensions);
    }
}

/// <summary>An auth version as the API returns it. The client secret is never included, only whether it is set.</summary>
public sealed record AuthVersionResponse(
    string PluginId,
    string VersionId,
    string Status,
    JsonNode? Definition,
    bool ClientSecretSet,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? PublishedAt,
    string? RedirectUri,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] MetadataCheck? MetadataCheck = null)
{
    /// <param name="metadataCheck">Only in a publish response: what the issuer's metadata said when the version went live.</param>
    public static AuthVersionResponse From(AuthVersionView view, Uri? redirectUri, MetadataCheck? metadataCheck = null) => new(
        view.PluginId,
        view.VersionId,
        view.Status == AuthVersionStatus.Published ? "published" : "draft",
        JsonNode.Parse(view.DefinitionJson),
        view.ClientSecretSet,
        view.CreatedAt,
        view.UpdatedAt,
        view.PublishedAt,
        redirectUri?.ToString(),
        metadataCheck);
}

public sealed record AuthVersionListResponse(IReadOnlyList<AuthVersionResponse> Items);

/// <summary>Refuses route ids that could not be grain-key parts (e.g. containing <c>/</c>) before any grain is touched.</summary>
internal sealed class IdentifierRouteFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        foreach (var (name, value) in context.HttpContext.Request.RouteValues)
        {
            if (name.EndsWith("Id", StringComparison.Ordinal) && !Identifiers.IsValid(value as string))
            {
                return Problems.Result(
                    StatusCodes.Status400BadRequest,
                    ApiErrorCodes.InvalidIdentifier,
                    $"Route value '{name}' must be 1-{Identifiers.MaxLength} letters, digits, '_', '-' or '.', starting with a letter or digit.");
            }
        }

        return await next(context);
    }
}

internal static class RequestBodies
{
    public sealed record JsonText(string? Text, ProblemHttpResult? Problem);

    /// <summary>Reads a JSON request body as text, bounded, so the domain can report JSON errors with pointers.</summary>
    public static async Task<JsonText> ReadJsonTextAsync(HttpRequest request, int maxBytes)
    {
        if (request.ContentLength > maxBytes)
        {
            return TooLarge(maxBytes);
        }

        if (!(request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) ?? false))
        {
            return new(null, Problems.Result(StatusCodes.Status415UnsupportedMediaType, ApiErrorCodes.InvalidRequest, "The body must be application/json."));
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return TooLarge(maxBytes);
            }

            buffer.Write(chunk, 0, read);
        }

        return new(System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length), null);
    }

    private static JsonText TooLarge(int maxBytes) =>
        new(null, Problems.Result(StatusCodes.Status413RequestEntityTooLarge, ApiErrorCodes.BodyTooLarge, $"The body must be at most {maxBytes} bytes."));
}

/// <summary>A test run of one block with sample data.</summary>
/// <param name="Block"><c>accessToken</c>, <c>refreshToken</c>, <c>revokeToken</c> or <c>testMe</c>.</param>
public sealed record TestRunRequest(string Block, JsonObject? AuthData, JsonNode? InputData, string? CodeVerifier);

/// <param name="Result">What the block returned.</param>
/// <param name="Console">Captured <c>console.*</c> lines.</param>
/// <param name="Http">The block's outbound calls (query values redacted).</param>
public sealed record TestRunResponse(JsonNode? Result, TestRunFailure? Failure, IReadOnlyList<BlockTestConsoleLine> Console, IReadOnlyList<BlockTestHttpCall> Http, double DurationMs);

public sealed record TestRunFailure(string Code, string Kind, string Message, int? HttpStatus, JsonNode? ResponseData);
