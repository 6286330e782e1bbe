using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using ViaSocket.Blocks;
using ViaSocket.Connections;
using ViaSocket.Domain;
using ViaSocket.Domain.Connections;
using ViaSocket.Domain.Credentials;
using ViaSocket.Domain.Definitions;
using ViaSocket.Domain.Templates;
using ViaSocket.Events;
using ViaSocket.Grains.AuthVersions;
using ViaSocket.Grains.Diagnostics;
using ViaSocket.Grains.Events;
using ViaSocket.Persistence.Connections;

namespace ViaSocket.Grains.Connections;

/// <summary>
/// One connection. Non-reentrant: the OAuth flow, refreshes and disconnects run one at a time, so a refresh never
/// races another; credential reads are read-only calls that interleave with each other.
/// </summary>
internal sealed partial class ConnectionGrain(
    [PersistentState(StorageNames.ConnectionState, StorageNames.Default)] IPersistentState<ConnectionState> state,
    AuthVersionCatalog catalog,
    IBlockRunner blocks,
    ConnectionDirectory directory,
    IConnectionEventPublisher events,
    TimeProvider time,
    ILogger<ConnectionGrain> logger,
    ViaSocketMetrics metrics,
    RefreshConcurrencyLimiter refreshLimiter,
    LocalCredentialCache localCredentials,
    SharedStrings sharedStrings,
    IClusterMembershipService membership,
    ILocalSiloDetails localSilo,
    IScriptExpressionEvaluator? evaluator = null) : Grain, IConnectionGrain, IRemindable
{
    private const int MaxHistory = 20;

    // Events recorded since the last write; published once the change they describe is persisted.
    private readonly List<ConnectionEvent> unpublished = [];

    // The status as last written to storage (null before the first write), to count each durable change once.
    private ConnectionStatus? persistedStatus;
    public static readonly TimeSpan AuthorizationLifetime = TimeSpan.FromMinutes(10);

    // The grain key decoded once: every credential read publishes under it, and the shared entry keeps this instance.
    private string? connectionKey;

    private ConnectionState S => state.State;

    private string ConnectionKey => connectionKey ??= this.GetPrimaryKeyString();

    private string ConnectionId => GrainKeys.Split(ConnectionKey)[1];

    private string WorkspaceId => GrainKeys.Split(ConnectionKey)[0];

    public async Task<StartAuthorizationResult> StartAuthorizationAsync(StartAuthorization command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (command.WorkspaceId != WorkspaceId)
        {
            return StartFailure(ConnectionErrorCodes.WorkspaceMismatch, "The connection belongs to another workspace.");
        }

        if (state.RecordExists && (S.OwnerId != command.OwnerId || S.PluginId != command.PluginId))
        {
            return StartFailure(ConnectionErrorCodes.OwnerMismatch, "A reconnect must keep the connection's owner and plugin.");
        }

        var version = await catalog.GetPublishedAsync(WorkspaceId, command.PluginId, command.VersionId);
        if (version is null)
        {
            return StartFailure(ConnectionErrorCodes.VersionNotPublished, $"Version '{command.VersionId}' of plugin '{command.PluginId}' is not published.");
        }

        var (fields, problems) = FieldValues.Validate(version.Definition.Fields, command.Fields, version.UrlFieldUses);
        if (problems.Count > 0)
        {
            return StartFailure(ConnectionErrorCodes.InvalidFields, string.Join(" ", problems.Select(p => p.Message)));
        }

        var oauthState = OAuthSecrets.CreateState();
        var pkce = version.Definition.Authorization!.Pkce;
        var verifier = pkce == PkceModes.None ? null : OAuthSecrets.CreateCodeVerifier();
        Uri authorizeUrl;
        try
        {
            var context = ConnectionContext.Create(version, fields, command.RedirectUri, codeVerifier: null);
            authorizeUrl = AuthorizeUrlBuilder.Build(version, new AuthorizeRequest(context, command.RedirectUri, oauthState, OAuthSecrets.CodeChallenge(verifier, pkce)), evaluator);
        }
        catch (TemplateRenderException exception)
        {
            return StartFailure(ConnectionErrorCodes.TemplateFailed, exception.Message);
        }

        var now = time.GetUtcNow();
        var attempt = new AuthorizationAttempt
        {
            AttemptId = Guid.NewGuid().ToString("N"),
            PluginId = command.PluginId,
            VersionId = command.VersionId,
            FieldsJson = fields.ToJsonString(),
            RedirectUri = command.RedirectUri,
            ReturnUrl = command.ReturnUrl,
            ExpiresAt = now + AuthorizationLifetime,
        };
        await GrainFactory.GetGrain<IPendingAuthorizationGrain>(OAuthSecrets.StateKey(oauthState)).CreateAsync(new PendingAuthorization(
            WorkspaceId, ConnectionId, attempt.AttemptId, verifier, command.ReturnUrl, attempt.ExpiresAt));

        if (!state.RecordExists)
        {
            (S.WorkspaceId, S.OwnerId, S.PluginId, S.VersionId) = (WorkspaceId, command.OwnerId, command.PluginId, command.VersionId);
            S.Status = ConnectionStatus.Pending;
            S.CreatedAt = now;
            Record(ConnectionEventKinds.Created, null);
        }

        S.Attempt = attempt;
        S.UpdatedAt = now;
        await state.WriteStateAsync();
        NoteStatusPersisted();
        await directory.UpsertAsync(DirectoryEntry());
        return new StartAuthorizationResult(ConnectionId, authorizeUrl.AbsoluteUri, attempt.ExpiresAt, null);
    }

    public async Task<AuthorizationOutcome> CompleteAuthorizationAsync(AuthorizationCallback callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        if (S.Attempt is not { } attempt || attempt.AttemptId != callback.AttemptId)
        {
            return Outcome(new ConnectionError(ConnectionErrorCodes.AttemptMismatch, "This authorization attempt was superseded by a newer one."));
        }

        S.Attempt = null;
        if (callback.Parameters.TryGetValue("error", out var providerError))
        {
            var error = new ConnectionError(ConnectionErrorCodes.ProviderError, ProviderErrors.Describe(providerError, callback.Parameters.GetValueOrDefault("error_description")));
            return await FailAttemptAsync(error);
        }

        var version = await catalog.GetPublishedAsync(WorkspaceId, attempt.PluginId, attempt.VersionId);
        if (version is null)
        {
            return await FailAttemptAsync(new ConnectionError(ConnectionErrorCodes.VersionNotPublished, "The auth version is no longer available."));
        }

        // RFC 9207: when the version names its issuer, an iss that differs means a mix-up attack; a provider that
        // sends no iss is accepted (not every provider implements it).
        if (version.Definition.Authorization?.Issuer is { } issuer
            && callback.Parameters.TryGetValue("iss", out var receivedIssuer) && receivedIssuer != issuer)
        {
            return await FailAttemptAsync(new ConnectionError(ConnectionErrorCodes.IssuerMismatch, "The authorization response came from an unexpected issuer."));
        }

        var authData = (JsonObject)JsonNode.Parse(attempt.FieldsJson)!;
        foreach (var (name, value) in callback.Parameters)
        {
            authData[name] = value;
        }

        var context = ConnectionContext.Create(version, authData, attempt.RedirectUri, callback.CodeVerifier);
        var requestedAt = time.GetUtcNow();
        var accessToken = await RunBlockAsync(version, BlockKinds.AccessToken, context);
        if (accessToken.Failure is { } accessFailure)
        {
            return await FailAttemptAsync(new ConnectionError(ConnectionErrorCodes.AccessTokenFailed, $"Access Token API failed: {accessFailure.Message}", accessFailure.HttpStatus));
        }

        authData[AuthDataKeys.AccessTokenCode] = accessToken.Result?.DeepClone();
        var testMe = await RunBlockAsync(version, BlockKinds.TestMe, context);
        if (testMe.Failure is { } testFailure)
        {
            return await FailAttemptAsync(new ConnectionError(ConnectionErrorCodes.TestMeFailed, $"Test Me API failed: {testFailure.Message}", testFailure.HttpStatus));
        }

        authData[AuthDataKeys.TestMe] = testMe.Result?.DeepClone();
        string? label, identifier;
        try
        {
            label = RenderLabel(version, context);
            identifier = version.UniqueIdentifier?.Render(context, evaluator);
        }
        catch (TemplateRenderException exception)
        {
            return await FailAttemptAsync(new ConnectionError(ConnectionErrorCodes.TemplateFailed, exception.Message));
        }

        var expiry = TokenLifetime.Compute(version, accessToken.Result, requestedAt);
        if (identifier is not null && state.RecordExists)
        {
            var holder = await directory.ClaimIdentifierAsync(DirectoryEntry() with { IdentifierHash = HashIdentifier(identifier) });
            if (holder != ConnectionId)
            {
                // The same owner already connected this provider account: that connection takes the new grant.
                var adopted = new AdoptedAuthorization(attempt.PluginId, attempt.VersionId, attempt.RedirectUri, authData.ToJsonString(), label, identifier, expiry.ExpiresAt, expiry.RefreshAt);
                var outcome = await GrainFactory.GetGrain<IConnectionGrain>(GrainKeys.Connection(WorkspaceId, holder)).AdoptAuthorizationAsync(adopted);
                if (S.Status == ConnectionStatus.Pending)
                {
                    await DeleteAsync();
                }

                return outcome;
            }
        }

        await ActivateAsync(attempt.PluginId, attempt.VersionId, authData, attempt.RedirectUri, label, identifier, expiry);
        return Outcome(null);
    }

    public async Task<AuthorizationOutcome> AdoptAuthorizationAsync(AdoptedAuthorization authorization)
    {
        ArgumentNullException.ThrowIfNull(authorization);
        var authData = (JsonObject)JsonNode.Parse(authorization.AuthDataJson)!;
        await ActivateAsync(authorization.PluginId, authorization.VersionId, authData, authorization.RedirectUri, authorization.Label, authorization.UniqueIdentifier,
            new TokenLifetime(authorization.ExpiresAt, authorization.RefreshAt));
        return Outcome(null);
    }

    public Task<ConnectionView?> GetAsync() => Task.FromResult(state.RecordExists ? View() : null);

    public async Task<ConnectionOperationResult> TestAsync()
    {
        if (Unusable() is { } unusable)
        {
            return new ConnectionOperationResult(View(), unusable);
        }

        var version = await PinnedVersionAsync();
        var authData = AuthData();
        var context = ConnectionContext.Create(version, authData, S.RedirectUri, null);
        var testMe = await RunBlockAsync(version, BlockKinds.TestMe, context);
        if (testMe.Failure is { } failure)
        {
            S.LastError = new ConnectionError(ConnectionErrorCodes.TestMeFailed, $"Test Me API failed: {failure.Message}", failure.HttpStatus);
            Record(ConnectionEventKinds.TestFailed, failure.Code);
            await PersistAsync();
            return new ConnectionOperationResult(View(), S.LastError);
        }

        authData[AuthDataKeys.TestMe] = testMe.Result?.DeepClone();
        try
        {
            S.Label = RenderLabel(version, context);
        }
        catch (TemplateRenderException exception)
        {
            return new ConnectionOperationResult(View(), new ConnectionError(ConnectionErrorCodes.TemplateFailed, exception.Message));
        }

        S.AuthData = JsonSerializer.SerializeToUtf8Bytes(authData);
        S.LastError = null;
        Record(ConnectionEventKinds.Tested, null);
        await PersistAsync();
        return new ConnectionOperationResult(View(), null);
    }

    private async Task ActivateAsync(string pluginId, string versionId, JsonObject authData, string redirectUri, string? label, string? identifier, TokenLifetime expiry)
    {
        var wasUsable = S.Status is ConnectionStatus.Active or ConnectionStatus.Degraded;
        var now = time.GetUtcNow();
        if (!state.RecordExists)
        {
            (S.WorkspaceId, S.CreatedAt) = (WorkspaceId, now);
        }

        (S.PluginId, S.VersionId, S.RedirectUri) = (pluginId, versionId, redirectUri);
        S.AuthData = JsonSerializer.SerializeToUtf8Bytes(authData);
        (S.Label, S.UniqueIdentifier) = (label, identifier);
        (S.ExpiresAt, S.RefreshAt, S.LastRefreshedAt) = (expiry.ExpiresAt, expiry.RefreshAt, null);
        (S.LastError, S.ConsecutiveRefreshFailures, S.NextRefreshAttemptAt) = (null, 0, null);
        S.Status = ConnectionStatus.Active;
        S.Generation++;
        S.UpdatedAt = now;
        Record(wasUsable ? ConnectionEventKinds.Reconnected : ConnectionEventKinds.Connected, null);
        await PersistAsync();
        InvalidateCredentials();
        await ScheduleRefreshAsync();
    }

    private async Task<AuthorizationOutcome> FailAttemptAsync(ConnectionError error)
    {
        S.LastError = error;
        S.UpdatedAt = time.GetUtcNow();
        Record(ConnectionEventKinds.AuthorizationFailed, error.Code);
        await PersistAsync();
        return Outcome(error);
    }

    private async Task DeleteAsync()
    {
        WithdrawSharedCredentials();
        await state.ClearStateAsync();
        await directory.DeleteAsync(WorkspaceId, ConnectionId);
        DeactivateOnIdle();
    }

    private async Task PersistAsync()
    {
        // The front-end must not keep serving what this write replaces; the next read through the grain republishes.
        WithdrawSharedCredentials();
        await state.WriteStateAsync();
        SettleUnsavedRefresh(stored: true);
        NoteStatusPersisted();
        await directory.UpsertAsync(DirectoryEntry());
        await PublishEventsAsync();
    }

    /// <summary>Counts a status change once it is durable (a write that fails changes nothing).</summary>
    private void NoteStatusPersisted()
    {
        if (S.Status != persistedStatus)
        {
            metrics.StatusChanged(persistedStatus, S.Status);
            persistedStatus = S.Status;
        }
    }

    private async Task PublishEventsAsync()
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            var status = S.Status.ToWireName();
            foreach (var recorded in unpublished)
            {
                // Routine events (every refresh of every connection) would drown out the changes worth reading.
                var level = ConnectionEventKinds.Routine.Contains(recorded.Kind) ? LogLevel.Debug : LogLevel.Information;
                LogLifecycleEvent(logger, level, recorded.Kind, WorkspaceId, ConnectionId, S.PluginId, S.VersionId, status, recorded.Detail ?? "none");
            }
        }

        foreach (var recorded in unpublished.Where(e => ConnectionEventKinds.Published.Contains(e.Kind)))
        {
            try
            {
                await events.PublishAsync(new ConnectionLifecycleEvent(
                    Guid.NewGuid().ToString("N"), WorkspaceId, ConnectionId, S.OwnerId, S.PluginId, S.VersionId, recorded.Kind, S.Status, recorded.At, recorded.Detail));
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                // The state change is durable already; a lost notification must not undo or fail it.
                LogEventNotPublished(logger, recorded.Kind, WorkspaceId, ConnectionId, exception.GetType().Name);
            }
        }

        // An idle activation keeps no array for events it has published.
        unpublished.Clear();
        unpublished.TrimExcess();
    }

    private async Task<CompiledAuthVersion> PinnedVersionAsync() =>
        await catalog.GetPublishedAsync(WorkspaceId, S.PluginId, S.VersionId)
        ?? throw new InvalidOperationException($"The pinned auth version {S.PluginId}/{S.VersionId} is missing.");

    private async Task<BlockRunResult> RunBlockAsync(CompiledAuthVersion version, string blockKind, JsonObject context)
    {
        var block = blockKind switch
        {
            BlockKinds.AccessToken => version.Definition.AccessToken,
            BlockKinds.RefreshToken => version.Definition.RefreshToken,
            BlockKinds.RevokeToken => version.Definition.RevokeToken,
            BlockKinds.TestMe => version.Definition.TestMe,
            _ => null,
        } ?? throw new InvalidOperationException($"The version has no {blockKind} block.");
        using var activity = ViaSocketActivities.StartConnectionActivity(ViaSocketActivities.Names.BlockRun, WorkspaceId, ConnectionId, S.PluginId, S.VersionId);
        activity?.SetTag(ViaSocketActivities.Attributes.BlockKind, blockKind);
        var result = await blocks.RunAsync(new BlockRunRequest($"{version.Revision}:{blockKind}", block, context, BlockUrls.For(version, context, evaluator))
        {
            ExpectsToken = blockKind is BlockKinds.AccessToken or BlockKinds.RefreshToken,
        });
        activity.SetOutcome(result.Failure?.Code, result.Failure?.HttpStatus);
        metrics.BlockRan(blockKind, result);
        return result;
    }

    private string? RenderLabel(CompiledAuthVersion version, JsonObject context)
    {
        var label = version.ConnectionLabel?.Render(context, evaluator);
        return label is not null && version.Definition.MaskConnectionLabel ? ConnectionLabelMasker.Mask(label) : label;
    }

    private JsonObject AuthData() => S.AuthData is { } json ? (JsonObject)JsonNode.Parse(json)! : [];

    private ConnectionError? Unusable() => S.Status switch
    {
        ConnectionStatus.Active or ConnectionStatus.Degraded when S.AuthData is not null => null,
        _ when !state.RecordExists => new ConnectionError(ConnectionErrorCodes.NotFound, "The connection does not exist."),
        var status => new ConnectionError(
            status == ConnectionStatus.ReauthRequired ? ConnectionErrorCodes.ReauthRequired : ConnectionErrorCodes.NotUsable,
            $"The connection is {status.ToWireName()}; {(status == ConnectionStatus.Revoked ? "it was disconnected" : "the user must connect it again")}."),
    };

    private void Record(string kind, string? detail)
    {
        var recorded = new ConnectionEvent(time.GetUtcNow(), kind, detail);
        unpublished.Add(recorded);

        // A run of routine entries keeps only its latest: hourly refreshes would otherwise fill the history with
        // copies, pushing out the changes worth seeing and costing every idle activation memory.
        if (ConnectionEventKinds.Routine.Contains(kind) && S.History.Count > 0 && S.History[^1].Kind == kind)
        {
            S.History[^1] = recorded;
            return;
        }

        S.History.Add(recorded);
        if (S.History.Count > MaxHistory)
        {
            S.History.RemoveRange(0, S.History.Count - MaxHistory);
        }
    }

    private AuthorizationOutcome Outcome(ConnectionError? error) => new(ConnectionId, S.Status, S.Label, error);

    private StartAuthorizationResult StartFailure(string code, string message) => new(ConnectionId, null, null, new ConnectionError(code, message));

    private ConnectionView View() => new(
        WorkspaceId, ConnectionId, S.OwnerId, S.PluginId, S.VersionId, S.Status, S.Label, S.UniqueIdentifier,
        S.CreatedAt, S.UpdatedAt, S.ExpiresAt, NextRefreshAt(), S.LastRefreshedAt, S.LastError, [.. S.History],
        S.RefreshFailureDay == DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime) ? S.RefreshFailuresOnDay : 0);

    /// <summary>When the next refresh attempt is due: the refresh time, or later while backing off after failures.</summary>
    private DateTimeOffset? NextRefreshAt() =>
        S.Status is ConnectionStatus.Active or ConnectionStatus.Degraded ? Later(S.RefreshAt, S.NextRefreshAttemptAt) : null;

    private static DateTimeOffset? Later(DateTimeOffset? first, DateTimeOffset? second) =>
        first is not { } a ? second : second is not { } b || a >= b ? a : b;

    private ConnectionDirectoryEntry DirectoryEntry() => new(
        WorkspaceId, ConnectionId, S.OwnerId, S.PluginId, S.VersionId, S.Status.ToWireName(), S.Label,
        S.UniqueIdentifier is { } identifier ? HashIdentifier(identifier) : null,
        S.ExpiresAt, S.LastRefreshedAt, S.LastError?.Code, S.CreatedAt, S.UpdatedAt, NextRefreshAt());

    private static string HashIdentifier(string identifier) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identifier)));

    [LoggerMessage(Level = LogLevel.Error, Message = "Refreshed tokens of connection {WorkspaceId}/{ConnectionId} could not be stored ({ErrorType}); holding them and retrying")]
    private static partial void LogRefreshNotPersisted(ILogger logger, string workspaceId, string connectionId, string errorType);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Refresh reminder of connection {WorkspaceId}/{ConnectionId} ticked; refresh due: {Due}")]
    private static partial void LogReminderTick(ILogger logger, string workspaceId, string connectionId, bool due);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Refresh of connection {WorkspaceId}/{ConnectionId} ({Trigger}) skipped: not due")]
    private static partial void LogRefreshSkipped(ILogger logger, string workspaceId, string connectionId, RefreshTrigger trigger);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Refresh of connection {WorkspaceId}/{ConnectionId} ({Trigger}) not started: claim {Claim}")]
    private static partial void LogRefreshNotClaimed(ILogger logger, string workspaceId, string connectionId, RefreshTrigger trigger, RefreshClaim claim);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refresh of connection {WorkspaceId}/{ConnectionId} could not be started in its own turn ({ErrorType}); the next trigger retries")]
    private static partial void LogNudgeFailed(ILogger logger, string workspaceId, string connectionId, string errorType);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lifecycle event {Kind} of connection {WorkspaceId}/{ConnectionId} was not published: {ErrorType}")]
    private static partial void LogEventNotPublished(ILogger logger, string kind, string workspaceId, string connectionId, string errorType);

    [LoggerMessage(Message = "Connection {WorkspaceId}/{ConnectionId} of {PluginId}/{VersionId}: {Kind}; status {Status}; detail {Detail}")]
    private static partial void LogLifecycleEvent(ILogger logger, LogLevel level, string kind, string workspaceId, string connectionId, string pluginId, string versionId, string status, string detail);
}

/// <summary>Kinds of entries in a connection's history and of the lifecycle events it publishes.</summary>
public static class ConnectionEventKinds
{
    public const string Created = "created";
    public const string Connected = "connected";
    public const string Reconnected = "reconnected";
    public const string AuthorizationFailed = "authorization_failed";
    public const string Tested = "tested";
    public const string TestFailed = "test_failed";
    public const string Refreshed = "refreshed";
    public const string RefreshFailed = "refresh_failed";
    public const string Degraded = "degraded";
    public const string Recovered = "recovered";
    public const string ReauthRequired = "reauth_required";
    public const string Revoked = "revoked";

    /// <summary>The kinds published to streams and webhooks; routine ones stay in the history only.</summary>
    public static IReadOnlySet<string> Published { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        Created, Connected, Reconnected, AuthorizationFailed, RefreshFailed, Degraded, Recovered, ReauthRequired, Revoked,
    };

    /// <summary>The routine kinds: a run of them is one history entry, the latest.</summary>
    public static IReadOnlySet<string> Routine { get; } = new HashSet<string>(StringComparer.Ordinal) { Refreshed, Tested };
}
