using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using ViaSocket.Connections;
using ViaSocket.Domain.Connections;
using ViaSocket.Domain.Templates;
using ViaSocket.Grains;
using ViaSocket.Grains.AuthVersions;
using ViaSocket.Server.Apis;
using ViaSocket.Server.Security;
using ViaSocket.Workspaces;

namespace ViaSocket.LoadTests;

/// <summary>
/// P2's DB-per-request baseline: what a stateless credentials service does. Every call reads the connection's
/// persisted state row from PostgreSQL through the service's own grain storage (the encrypting wrapper over ADO.NET),
/// decrypts and deserializes it, and renders the credentials with the version's compiled
/// <see cref="Domain.Credentials.CredentialBuilder"/>, exactly as the grain renders them. Only the compiled auth version
/// is cached (published versions never change); nothing about the connection is.
/// </summary>
internal sealed class BaselineCredentials
{
    /// <summary>Same shape, auth and scope as <c>GET /v1/connections/{id}/credentials</c>.</summary>
    public const string PathTemplate = "/baseline/connections/{connectionId}/credentials";

    private readonly IGrainStorage storage;
    private readonly IGrainFactory grains;
    private readonly AuthVersionCatalog catalog;
    private readonly IScriptExpressionEvaluator? evaluator;
    private readonly Func<IGrainStorage, GrainId, Task<StoredConnection?>> read;

    private BaselineCredentials(IServiceProvider services)
    {
        storage = services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Default);
        grains = services.GetRequiredService<IGrainFactory>();
        catalog = services.GetRequiredService<AuthVersionCatalog>();
        evaluator = services.GetService<IScriptExpressionEvaluator>();
        read = StoredConnection.CreateReader();
    }

    public static string PathFor(string connectionId) => PathTemplate.Replace("{connectionId}", connectionId, StringComparison.Ordinal);

    public static void Map(WebApplication app)
    {
        var baseline = new BaselineCredentials(app.Services);
        app.MapGet(PathTemplate, (string connectionId, HttpContext http) => baseline.GetAsync(connectionId, http))
            .RequireAuthorization(ApiKeyScopes.CredentialsRead);
    }

    private async Task<Results<Ok<CredentialsResponse>, ProblemHttpResult>> GetAsync(string connectionId, HttpContext http)
    {
        http.Response.Headers.CacheControl = "no-store";
        if (!Identifiers.IsValid(connectionId))
        {
            return Problem(StatusCodes.Status400BadRequest, "invalid_request");
        }

        var grainId = grains.GetGrain<IConnectionGrain>(GrainKeys.Connection(http.User.WorkspaceIdOf(), connectionId)).GetGrainId();
        if (await read(storage, grainId) is not { } stored)
        {
            return Problem(StatusCodes.Status404NotFound, ConnectionErrorCodes.NotFound);
        }

        if (stored.Status is not (ConnectionStatus.Active or ConnectionStatus.Degraded) || stored.AuthData is null)
        {
            return Problem(StatusCodes.Status409Conflict, ConnectionErrorCodes.NotUsable);
        }

        // A stateless service finds an expired token here and would refresh inline; the bench tokens outlive the run.
        if (stored.ExpiresAt is { } expiresAt && expiresAt <= TimeProvider.System.GetUtcNow())
        {
            return Problem(StatusCodes.Status409Conflict, "expired");
        }

        var version = await catalog.GetPublishedAsync(stored.WorkspaceId, stored.PluginId, stored.VersionId);
        if (version is null)
        {
            return Problem(StatusCodes.Status409Conflict, ConnectionErrorCodes.VersionNotPublished);
        }

        var authData = (JsonObject)JsonNode.Parse(stored.AuthData)!;
        var rendered = version.Credentials.Build(ConnectionContext.Create(version, authData, stored.RedirectUri, null), evaluator);
        return TypedResults.Ok(new CredentialsResponse(stored.Status.ToWireName(), rendered.Headers, rendered.Query, rendered.Body.ToJsonString(), stored.ExpiresAt));
    }

    private static ProblemHttpResult Problem(int status, string code) =>
        TypedResults.Problem(statusCode: status, extensions: new Dictionary<string, object?> { ["code"] = code });

    /// <summary>The members of the connection's persisted state this endpoint needs.</summary>
    private sealed record StoredConnection(
        string WorkspaceId, string PluginId, string VersionId, ConnectionStatus Status, byte[]? AuthData, string? RedirectUri, DateTimeOffset? ExpiresAt)
    {
        // The grain's state class is internal to ViaSocket.Grains; the baseline reads the very same row type through the
        // very same storage, so it is looked up by name once (a rename fails here, at startup, not silently).
        private const string StateTypeName = "ViaSocket.Grains.Connections.ConnectionState";

        public static Func<IGrainStorage, GrainId, Task<StoredConnection?>> CreateReader()
        {
            var stateType = typeof(StorageNames).Assembly.GetType(StateTypeName, throwOnError: true)!;
            var method = typeof(StoredConnection).GetMethod(nameof(ReadAsync), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(stateType);
            return method.CreateDelegate<Func<IGrainStorage, GrainId, Task<StoredConnection?>>>();
        }

        private static async Task<StoredConnection?> ReadAsync<TState>(IGrainStorage storage, GrainId grainId)
            where TState : new()
        {
            var state = new GrainState<TState>(new TState());
            await storage.ReadStateAsync(StorageNames.ConnectionState, grainId, state);
            return state.RecordExists && state.State is { } stored ? Members<TState>.From(stored) : null;
        }

        /// <summary>Property getters of the state type, bound once per type.</summary>
        private static class Members<TState>
        {
            private static readonly Func<TState, string> Workspace = Getter<string>("WorkspaceId");
            private static readonly Func<TState, string> Plugin = Getter<string>("PluginId");
            private static readonly Func<TState, string> Version = Getter<string>("VersionId");
            private static readonly Func<TState, ConnectionStatus> StatusOf = Getter<ConnectionStatus>("Status");
            private static readonly Func<TState, byte[]?> AuthDataOf = Getter<byte[]?>("AuthData");
            private static readonly Func<TState, string?> Redirect = Getter<string?>("RedirectUri");
            private static readonly Func<TState, DateTimeOffset?> Expires = Getter<DateTimeOffset?>("ExpiresAt");

            public static StoredConnection From(TState state) =>
                new(Workspace(state), Plugin(state), Version(state), StatusOf(state), AuthDataOf(state), Redirect(state), Expires(state));

            private static Func<TState, T> Getter<T>(string name) =>
                (typeof(TState).GetProperty(name) ?? throw new MissingMemberException(typeof(TState).FullName, name))
                    .GetGetMethod()!.CreateDelegate<Func<TState, T>>();
        }
    }
}
