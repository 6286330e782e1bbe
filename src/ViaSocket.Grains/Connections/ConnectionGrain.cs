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
    IdTokenVerifier idTokens,
    IScriptExpressionEvaluator? evaluator = null) : Grain, IConnectionGrain, IRemindable
{
    // Events recorded since the last write; published once the change they describe is persisted.
    private readonly List<ConnectionEvent> unpublished = [];

    // The status as last written to storage (null before the first write), to count each durable change once.
    private ConnectionStatus? persistedStatus;

    // The grain key decoded once: every credential read publishes under it, and the shared entry keeps this instance.
    private string? connectionKey;

    private ConnectionState S => state.State;

    private string ConnectionKey => connectionKey ??= this.GetPrimaryKeyString();

    private string ConnectionId => GrainKeys.Split(ConnectionKey)[1];

    private string WorkspaceId => GrainKeys.Split(ConnectionKey)[0];

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        S.Loaded(sharedStrings);
        persistedStatus = state.RecordExists ? S.Status : null;

        // A claim in the loaded state is another activation's whose refresh never stored its answer (its silo died
        // mid-refresh): decide at once, while a provider's reuse grace may still accept the stored token. Orleans does not
        // replay missed reminder ticks either: a refresh that fell due while no silo hosted the connection runs now.
        if (S.RefreshClaimHolder is not null && S.Status is ConnectionStatus.Active or ConnectionStatus.Degraded)
        {
            NudgeRefresh(RefreshTrigger.Interrupted);
        }
        else if (IsRefreshDue(time.GetUtcNow()))
        {
            NudgeRefresh();
        }

        await base.OnActivateAsync(cancellationToken);
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Tokens still held unsaved are lost with the activation.
        SettleUnsavedRefresh(stored: false);
        WithdrawSharedCredentials();
        return base.OnDeactivateAsync(reason, cancellationToken);
    }

    public Task<ConnectionView?> GetAsync() => Task.FromResult(state.RecordExists ? View() : null);

    public async Task<ConnectionOperationResult> TestAsync()
    {
        if (Unusable() is { } unusable)
        {
            return new ConnectionOperationResult(View(), unusable);
        }

        var version = await PinnedVersionAsync();
        var (app, clientGone) = await ConnectionAppAsync();
        if (clientGone is not null)
        {
            NudgeRefresh(RefreshTrigger.Rejected);
            return new ConnectionOperationResult(View(), clientGone);
        }

        if (version.Definition.TestMe is null)
        {
            return new ConnectionOperationResult(View(), new ConnectionError(ConnectionErrorCodes.TestUnavailable, "This auth version has no Test Me API: its connections are named by their ID token."));
        }

        var authData = AuthData();
        var context = ConnectionContext.Create(version, authData, S.RedirectUri, null, scopes: S.RequestedScopes, app: app);
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
            ClientAuthentication = ClientAuthModes.ForBlock(version.Definition.Authorization, blockKind),
            Lane = BlockRunLane.Connections,
            Tenant = WorkspaceId,
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
            status switch
            {
                ConnectionStatus.ReauthRequired => ConnectionErrorCodes.ReauthRequired,
                ConnectionStatus.Revoked => ConnectionErrorCodes.Revoked,
                _ => ConnectionErrorCodes.NotUsable,
            },
            $"The connection is {status.ToWireName()}; {(status == ConnectionStatus.Revoked ? "it was disconnected" : "the user must connect it again")}."),
    };

    private void Record(string kind, string? detail)
    {
        var recorded = new ConnectionEvent(time.GetUtcNow(), kind, detail);
        unpublished.Add(recorded);
        ConnectionHistory.Record(S.History, recorded, entry => entry.Kind, ConnectionEventKinds.Routine.Contains(kind));
    }

    private ConnectionView View() => new(
        WorkspaceId, ConnectionId, S.OwnerId, S.PluginId, S.VersionId, S.Status, S.Label, S.UniqueIdentifier,
        S.CreatedAt, S.UpdatedAt, S.ExpiresAt, NextRefreshAt(), S.LastRefreshedAt, S.LastError, [.. S.History],
        S.RefreshFailureDay == DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime) ? S.RefreshFailuresOnDay : 0, S.OAuthClientId,
        S.GrantedScopes is null ? null : [.. S.GrantedScopes], S.RefreshTokenExpiresAt);

    /// <summary>The refresh timing of the stored state, as the refresh policy judges it.</summary>
    private RefreshSchedule Schedule => new(
        S.Status is ConnectionStatus.Active or ConnectionStatus.Degraded, S.Status == ConnectionStatus.Degraded,
        S.ExpiresAt, S.RefreshAt, S.NextRefreshAttemptAt, S.LastRefreshedAt, S.RefreshTokenExpiresAt, S.ReconnectSoonAt);

    /// <summary>When the next refresh attempt is due: the refresh time, or later while backing off after failures.</summary>
    private DateTimeOffset? NextRefreshAt() => RefreshPolicy.NextAttemptAt(Schedule);

    private ConnectionDirectoryEntry DirectoryEntry() => new(
        WorkspaceId, ConnectionId, S.OwnerId, S.PluginId, S.VersionId, S.Status.ToWireName(), S.Label,
        S.UniqueIdentifier is { } identifier ? HashIdentifier(identifier) : null,
        S.ExpiresAt, S.LastRefreshedAt, S.LastError?.Code, S.CreatedAt, S.UpdatedAt, NextRefreshAt());

    private static string HashIdentifier(string identifier) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identifier)));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lifecycle event {Kind} of connection {WorkspaceId}/{ConnectionId} was not published: {ErrorType}")]
    private static partial void LogEventNotPublished(ILogger logger, string kind, string workspaceId, string connectionId, string errorType);

    [LoggerMessage(Message = "Connection {WorkspaceId}/{ConnectionId} of {PluginId}/{VersionId}: {Kind}; status {Status}; detail {Detail}")]
    private static partial void LogLifecycleEvent(ILogger logger, LogLevel level, string kind, string workspaceId, string connectionId, string pluginId, string versionId, string status, string detail);
}
