using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using ViaSocket.Connections;
using ViaSocket.Domain.Connections;
using ViaSocket.Grains.Connections;
using ViaSocket.Grains.Diagnostics;
using ViaSocket.Persistence.Connections;
using ViaSocket.Server.Extensions;
using ViaSocket.Server.Security;
using ViaSocket.Workspaces;

namespace ViaSocket.Server.Apis;

/// <summary>Connections (SPEC section 4): start, read, list, credentials, refresh, test, disconnect.</summary>
internal static class ConnectionsApi
{
    public static RouteGroupBuilder MapConnectionsApiV1(this IEndpointRouteBuilder endpoints)
    {
        var connections = endpoints.MapGroup("/v1/connections")
            .WithTags("Connections")
            .ProducesProblems(StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden)
            .AddEndpointFilter<IdentifierRouteFilter>();

        connections.MapPost("/", StartConnection).RequireAuthorization(ApiKeyScopes.ConnectionsWrite).RequireRateLimiting(RateLimitingExtensions.ConnectionStartPolicy)
            .WithName("StartConnection").WithSummary("Start (or reconnect) a connection; answers with the provider authorize URL")
            .ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status422UnprocessableEntity, StatusCodes.Status429TooManyRequests);
        connections.MapGet("/authorize", StartConnectionRedirect).RequireAuthorization(ApiKeyScopes.ConnectionsWrite).RequireRateLimiting(RateLimitingExtensions.ConnectionStartPolicy)
            .WithName("StartConnectionRedirect").WithSummary("Start (or reconnect) a connection with a 302 to the provider")
            .ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status422UnprocessableEntity, StatusCodes.Status429TooManyRequests);
        connections.MapGet("/", ListConnections).RequireAuthorization(ApiKeyScopes.ConnectionsRead)
            .WithName("ListConnections").WithSummary("List connections, filtered and paged by id")
            .WithDescription("Pending connections (authorizations that never completed) are left out unless status=pending or include=pending is given.");
        connections.MapGet("/{connectionId}", GetConnection).RequireAuthorization(ApiKeyScopes.ConnectionsRead)
            .WithName("GetConnection").WithSummary("Get a connection (no token material)")
            .ProducesProblems(StatusCodes.Status404NotFound);
        connections.MapGet("/{connectionId}/credentials", GetCredentials).RequireAuthorization(ApiKeyScopes.CredentialsRead)
            .WithName("GetCredentials").WithSummary("Get the rendered credentials to append to a request")
            .ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status502BadGateway, StatusCodes.Status503ServiceUnavailable);
        connections.MapPost("/{connectionId}/refresh", Refresh).RequireAuthorization(ApiKeyScopes.ConnectionsWrite)
            .WithName("RefreshConnection").WithSummary("Refresh the connection's token now")
            .ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status502BadGateway, StatusCodes.Status503ServiceUnavailable);
        connections.MapPost("/{connectionId}/test", Test).RequireAuthorization(ApiKeyScopes.ConnectionsWrite)
            .WithName("TestConnection").WithSummary("Re-run the Test Me API and relabel")
            .ProducesProblems(StatusCodes.Status404NotFound, StatusCodes.Status409Conflict, StatusCodes.Status422UnprocessableEntity, StatusCodes.Status502BadGateway);
        connections.MapDelete("/{connectionId}", Disconnect).RequireAuthorization(ApiKeyScopes.ConnectionsWrite)
            .WithName("DisconnectConnection").WithSummary("Revoke at the provider, wipe token material, mark revoked")
            .ProducesProblems(StatusCodes.Status404NotFound);
        connections.MapArchiveConnection();
        return connections;
    }

    public static async Task<Results<Created<StartConnectionResponse>, ProblemHttpResult>> StartConnection(
        StartConnectionRequest request, HttpContext http, IGrainFactory grains, ReturnUrlPolicy returnUrls, IOptions<ServerOptions> options)
    {
        var started = await StartAsync(request, http, grains, returnUrls, options.Value);
        return started.Succeeded
            ? TypedResults.Created($"/v1/connections/{started.ConnectionId}", new StartConnectionResponse(started.ConnectionId, started.AuthorizeUrl!, started.StateExpiresAt!.Value))
            : ErrorResults.For(started.Error!);
    }

    /// <summary>The same as POST, answered with a 302 to the provider, for server-side redirects.</summary>
    public static async Task<Results<RedirectHttpResult, ProblemHttpResult>> StartConnectionRedirect(
        [FromQuery] string pluginId, [FromQuery] string versionId, [FromQuery] string ownerId, [FromQuery] string? returnUrl,
        [FromQuery] string? connectionId, [FromQuery] string? oauthClientId, HttpContext http, IGrainFactory grains, ReturnUrlPolicy returnUrls, IOptions<ServerOptions> options)
    {
        const string fieldPrefix = "field.";
        var fields = http.Request.Query
            .Where(q => q.Key.StartsWith(fieldPrefix, StringComparison.Ordinal))
            .ToDictionary(q => q.Key[fieldPrefix.Length..], q => q.Value.ToString(), StringComparer.Ordinal);
        // Repeated optionalScope parameters: the GET form of the body's optionalScopes.
        var optionalScopes = http.Request.Query["optionalScope"] is { Count: > 0 } chosen ? chosen.OfType<string>().ToList() : null;
        var started = await StartAsync(new StartConnectionRequest(pluginId, versionId, ownerId, fields, returnUrl, connectionId, oauthClientId, optionalScopes), http, grains, returnUrls, options.Value);
        return started.Succeeded ? TypedResults.Redirect(started.AuthorizeUrl!) : ErrorResults.For(started.Error!);
    }

    public static async Task<Results<Ok<ConnectionListResponse>, ProblemHttpResult>> ListConnections(
        [FromQuery] string? ownerId, [FromQuery] string? pluginId, [FromQuery] string? status, [FromQuery] string? after, [FromQuery] int? limit,
        [FromQuery] string? include, HttpContext http, ConnectionDirectory directory)
    {
        var pending = ConnectionStatus.Pending.ToWireName();
        var badId = new[] { ownerId, pluginId, after }.FirstOrDefault(id => id is not null && !Identifiers.IsValid(id));
        var knownStatus = status is null || Enum.GetValues<ConnectionStatus>().Any(s => s.ToWireName() == status);
        if (badId is not null || !knownStatus || (limit is < 1 or > ConnectionDirectory.MaxLimit) || (include is not null && include != pending))
        {
            return Problems.Result(
                StatusCodes.Status400BadRequest,
                ApiErrorCodes.InvalidRequest,
                $"ownerId, pluginId and after must be identifiers, status a connection status, include '{pending}', limit 1-{ConnectionDirectory.MaxLimit}.");
        }

        var query = new ConnectionQuery(http.User.WorkspaceIdOf(), ownerId, pluginId, status, after, limit ?? 100, IncludePending: include == pending);
        var entries = await directory.ListAsync(query, http.RequestAborted);
        var items = entries.Select(ConnectionSummary.From).ToList();
        return TypedResults.Ok(new ConnectionListResponse(items, items.Count == (limit ?? 100) ? items[^1].ConnectionId : null));
    }

    public static async Task<Results<Ok<ConnectionResponse>, ProblemHttpResult>> GetConnection(string connectionId, HttpContext http, IGrainFactory grains)
    {
        var view = await Grain(grains, http, connectionId).GetAsync();
        return view is null ? ErrorResults.NotFound() : TypedResults.Ok(ConnectionResponse.From(view));
    }

    public static async Task<Results<Ok<CredentialsResponse>, RenderedCredentials.Json, ProblemHttpResult>> GetCredentials(
        string connectionId,
        HttpContext http,
        IGrainFactory grains,
        RenderedCredentials rendered,
        [FromServices] LocalCredentialCache? localCredentials,
        [FromServices] ViaSocketMetrics? metrics)
    {
        http.Response.Headers.CacheControl = "no-store";
        var started = Stopwatch.GetTimestamp();
        var key = GrainKeys.Connection(http.User.WorkspaceIdOf(), connectionId);

        // On a silo, an activation hosted here shares its current answer in-process; otherwise ask the grain.
        if (localCredentials is not null && localCredentials.TryGet(key, out var local))
        {
            metrics?.CredentialsRequested(null, Stopwatch.GetElapsedTime(started));
            return rendered.For(local);
        }

        var result = await grains.GetGrain<IConnectionGrain>(key).GetCredentialsAsync();
        return result.Succeeded ? TypedResults.Ok(CredentialsResponse.From(result.Credentials!)) : ErrorResults.For(result, http.Response);
    }

    public static async Task<Results<Ok<ConnectionResponse>, ProblemHttpResult>> Refresh(string connectionId, HttpContext http, IGrainFactory grains)
    {
        var grain = Grain(grains, http, connectionId);
        var result = await grain.RefreshAsync();
        return result.Succeeded ? TypedResults.Ok(ConnectionResponse.From((await grain.GetAsync())!)) : ErrorResults.For(result, http.Response);
    }

    public static async Task<Results<Ok<ConnectionResponse>, ProblemHttpResult>> Test(string connectionId, HttpContext http, IGrainFactory grains) =>
        ToResponse(await Grain(grains, http, connectionId).TestAsync());

    public static async Task<Results<Ok<ConnectionResponse>, ProblemHttpResult>> Disconnect(string connectionId, HttpContext http, IGrainFactory grains)
    {
        var result = await Grain(grains, http, connectionId).DisconnectAsync();

        // A failing Revoke API is reported in the connection's lastError; the disconnect itself succeeded.
        return result.Connection is not null ? TypedResults.Ok(ConnectionResponse.From(result.Connection)) : ErrorResults.For(result.Error!);
    }

    private static async Task<StartAuthorizationResult> StartAsync(
        StartConnectionRequest request, HttpContext http, IGrainFactory grains, ReturnUrlPolicy returnUrls, ServerOptions options)
    {
        var invalid = request.Validate();
        if (invalid is not null)
        {
            return new StartAuthorizationResult("", null, null, new ConnectionError(ApiErrorCodes.InvalidRequest, invalid));
        }

        var workspaceId = http.User.WorkspaceIdOf();

        // The canonical form is what gets stored and redirected to, so the host checked is the host a browser visits.
        var returnUrl = request.ReturnUrl is null ? null : new Uri(request.ReturnUrl, UriKind.Absolute);
        if (returnUrl is not null && await returnUrls.CheckAsync(workspaceId, returnUrl) is { } notAllowed)
        {
            return new StartAuthorizationResult("", null, null, notAllowed);
        }

        var connectionId = request.ConnectionId ?? ConnectionIds.New();
        var grain = grains.GetGrain<IConnectionGrain>(GrainKeys.Connection(workspaceId, connectionId));
        if (request.ConnectionId is not null && await grain.GetAsync() is null)
        {
            // Reconnecting names an existing connection; an unknown id is not silently created.
            return new StartAuthorizationResult(connectionId, null, null, new ConnectionError(ConnectionErrorCodes.NotFound, "The connection does not exist."));
        }

        return await grain.StartAuthorizationAsync(new StartAuthorization(
            workspaceId, request.PluginId, request.VersionId, request.OwnerId, request.Fields ?? new Dictionary<string, string>(),
            options.RedirectUri.AbsoluteUri, returnUrl?.AbsoluteUri, request.OAuthClientId, request.OptionalScopes));
    }

    private static IConnectionGrain Grain(IGrainFactory grains, HttpContext http, string connectionId) =>
        grains.GetGrain<IConnectionGrain>(GrainKeys.Connection(http.User.WorkspaceIdOf(), connectionId));

    private static Results<Ok<ConnectionResponse>, ProblemHttpResult> ToResponse(ConnectionOperationResult result) =>
        result.Succeeded ? TypedResults.Ok(ConnectionResponse.From(result.Connection!)) : ErrorResults.For(result.Error!);
}

/// <param name="ConnectionId">Set to reconnect an existing connection (it keeps its id).</param>
/// <param name="OAuthClientId">
/// A workspace OAuth client (<c>/v1/oauth-clients</c>) registered for this plugin, used instead of the version's own;
/// <c>default</c> for the version's own; omitted keeps the client of the connection being reconnected (a new one: the version's own).
/// </param>
/// <param name="OptionalScopes">Optional scopes of the version to ask for besides its required ones.</param>
public sealed record StartConnectionRequest(
    string PluginId,
    string VersionId,
    string OwnerId,
    IReadOnlyDictionary<string, string>? Fields,
    string? ReturnUrl,
    string? ConnectionId = null,
    [property: JsonPropertyName("oauthClientId")] string? OAuthClientId = null,
    IReadOnlyList<string>? OptionalScopes = null)
{
    public const int MaxFields = 100;
    public const int MaxReturnUrlLength = 2048;
    public const int MaxScopeLength = 200;

    public string? Validate()
    {
        if (!Identifiers.IsValid(PluginId) || !Identifiers.IsValid(VersionId) || !Identifiers.IsValid(OwnerId))
        {
            return "pluginId, versionId and ownerId are required identifiers (letters, digits, '_', '-', '.').";
        }

        if (ConnectionId is not null && !Identifiers.IsValid(ConnectionId))
        {
            return "connectionId is not a valid identifier.";
        }

        if (OAuthClientId is not null && !Identifiers.IsValid(OAuthClientId))
        {
            return "oauthClientId is not a valid identifier.";
        }

        if (ReturnUrl is not null && !(ReturnUrl.Length <= MaxReturnUrlLength && Uri.TryCreate(ReturnUrl, UriKind.Absolute, out var url)
            && url.Scheme is "https" or "http" && string.IsNullOrEmpty(url.UserInfo)))
        {
            return $"returnUrl must be an absolute http(s) URL without user info, at most {MaxReturnUrlLength} characters.";
        }

        if (Fields is { Count: > MaxFields })
        {
            return $"At most {MaxFields} fields may be given.";
        }

        if (OptionalScopes is { } scopes && (scopes.Count > RequestedScopes.MaxChosen || scopes.Any(s => s is null || s.Length is 0 or > MaxScopeLength || !Identifiers.IsPlainText(s))))
        {
            return $"optionalScopes holds at most {RequestedScopes.MaxChosen} scopes of 1-{MaxScopeLength} characters without control or format characters.";
        }

        // Bounded here so an oversized value is refused before any grain call, and never echoed back in full.
        return Fields is not null && Fields.Any(f => f.Key.Length is 0 or > Identifiers.MaxLength || !Identifiers.IsPlainText(f.Key) || f.Value?.Length > FieldValues.MaxValueLength)
            ? $"Field keys must be 1-{Identifiers.MaxLength} characters without control or format characters, and values at most {FieldValues.MaxValueLength}."
            : null;
    }
}

public sealed record StartConnectionResponse(string ConnectionId, string AuthorizeUrl, DateTimeOffset ExpiresAt);

/// <summary>A connection without token material.</summary>
public sealed record ConnectionResponse(
    string ConnectionId,
    string OwnerId,
    string PluginId,
    string VersionId,
    string Status,
    string? Label,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? NextRefreshAt,
    DateTimeOffset? LastRefreshedAt,
    ConnectionErrorResponse? LastError,
    IReadOnlyList<ConnectionEventResponse> History,
    int RefreshFailuresToday,
    IReadOnlyList<string>? GrantedScopes,
    DateTimeOffset? RefreshTokenExpiresAt,
    [property: JsonPropertyName("oauthClientId"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? OAuthClientId = null)
{
    public static ConnectionResponse From(ConnectionView view) => new(
        view.ConnectionId, view.OwnerId, view.PluginId, view.VersionId, view.Status.ToWireName(), view.Label, view.CreatedAt, view.UpdatedAt,
        view.ExpiresAt, view.NextRefreshAt, view.LastRefreshedAt, ConnectionErrorResponse.From(view.LastError),
        [.. view.History.Select(e => new ConnectionEventResponse(e.At, e.Kind, e.Detail))], view.RefreshFailuresToday, view.GrantedScopes, view.RefreshTokenExpiresAt, view.OAuthClientId);
}

public sealed record ConnectionErrorResponse(string Code, string Message, int? ProviderStatus)
{
    public static ConnectionErrorResponse? From(ConnectionError? error) => error is null ? null : new(error.Code, error.Message, error.ProviderStatus);
}

public sealed record ConnectionEventResponse(DateTimeOffset At, string Kind, string? Detail);

public sealed record ConnectionSummary(
    string ConnectionId, string OwnerId, string PluginId, string VersionId, string Status, string? Label,
    DateTimeOffset? ExpiresAt, DateTimeOffset? LastRefreshedAt, string? LastErrorCode, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static ConnectionSummary From(ConnectionDirectoryEntry entry) => new(
        entry.ConnectionId, entry.OwnerId, entry.PluginId, entry.VersionId, entry.Status, entry.Label,
        entry.ExpiresAt, entry.LastRefreshedAt, entry.LastErrorCode, entry.CreatedAt, entry.UpdatedAt);
}

/// <param name="Next">The cursor for the next page (pass as <c>after</c>), or null on the last page.</param>
public sealed record ConnectionListResponse(IReadOnlyList<ConnectionSummary> Items, string? Next);

/// <summary>What to append to a request of this connection. The one response that carries tokens.</summary>
/// <param name="Body">A JSON object of body members to merge into the request body.</param>
/// <param name="BaseUrl">The connection's base URL (relative proxy paths resolve against it); null when its version declares none.</param>
public sealed record CredentialsResponse(
    string Status,
    IReadOnlyDictionary<string, string> Headers,
    IReadOnlyDictionary<string, string> Query,
    [property: JsonConverter(typeof(RawJsonConverter))] string Body,
    DateTimeOffset? ExpiresAt,
    string? BaseUrl = null)
{
    public static CredentialsResponse From(ConnectionCredentials credentials) => new(
        credentials.Status.ToWireName(), credentials.Headers, credentials.Query, credentials.BodyJson, credentials.ExpiresAt, credentials.BaseUrl);
}

/// <summary>
/// Writes a string that already holds JSON (rendered once per token change by the connection grain) as JSON, on the
/// hot credentials path, without parsing it again.
/// </summary>
internal sealed class RawJsonConverter : JsonConverter<string>
{
    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        return document.RootElement.GetRawText();
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteRawValue(value, skipInputValidation: true);
}

internal static class ConnectionIds
{
    /// <summary>A new connection id: <c>conn_</c> + 128 random bits in hex.</summary>
    public static string New() => "conn_" + Guid.NewGuid().ToString("N");
}

/// <summary>Maps grain error codes to HTTP statuses.</summary>
internal static class ErrorResults
{
    public static ProblemHttpResult NotFound() =>
        Problems.Result(StatusCodes.Status404NotFound, ConnectionErrorCodes.NotFound, "The connection does not exist.");

    /// <summary>
    /// A credentials or refresh call that answered "not now" is a 503 with <c>Retry-After</c> (whole seconds, at least 1):
    /// the provider is failing transiently or another node is refreshing, and asking again later can succeed.
    /// </summary>
    public static ProblemHttpResult For(CredentialsResult failed, HttpResponse response)
    {
        if (failed.RetryAfter is not { } retryAfter)
        {
            return For(failed.Error!);
        }

        response.Headers.RetryAfter = Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return For(failed.Error!, StatusCodes.Status503ServiceUnavailable);
    }

    public static ProblemHttpResult For(ConnectionError error, int? statusOverride = null)
    {
        var status = statusOverride ?? error.Code switch
        {
            ConnectionErrorCodes.NotFound => StatusCodes.Status404NotFound,
            ConnectionErrorCodes.VersionNotPublished => StatusCodes.Status409Conflict,
            ConnectionErrorCodes.InvalidFields or ConnectionErrorCodes.UnknownScope or ApiErrorCodes.InvalidRequest or ConnectionErrorCodes.TemplateFailed or ReturnUrlPolicy.NotAllowedCode => StatusCodes.Status422UnprocessableEntity,
            ConnectionErrorCodes.OAuthClientNotFound or ConnectionErrorCodes.OAuthClientNotForVersion => StatusCodes.Status422UnprocessableEntity,
            ConnectionErrorCodes.OAuthClientDeleted => StatusCodes.Status409Conflict,
            ConnectionErrorCodes.OwnerMismatch or ConnectionErrorCodes.WorkspaceMismatch => StatusCodes.Status409Conflict,
            ConnectionErrorCodes.NotUsable or ConnectionErrorCodes.ReauthRequired or ConnectionErrorCodes.Revoked or ConnectionErrorCodes.RefreshUnavailable or ConnectionErrorCodes.TestUnavailable or ConnectionErrorCodes.NotRevoked => StatusCodes.Status409Conflict,
            ConnectionErrorCodes.RefreshInProgress => StatusCodes.Status503ServiceUnavailable,
            ConnectionErrorCodes.RefreshFailed or ConnectionErrorCodes.TestMeFailed or ConnectionErrorCodes.ProviderError => StatusCodes.Status502BadGateway,
            ConnectionErrorCodes.StorageUnavailable => StatusCodes.Status503ServiceUnavailable,
            _ => StatusCodes.Status400BadRequest,
        };
        var extensions = error.ProviderStatus is { } providerStatus ? new Dictionary<string, object?> { ["providerStatus"] = providerStatus } : null;
        return Problems.Result(status, error.Code, error.Message, extensions);
    }
}
