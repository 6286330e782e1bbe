using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using ViaSocket.Domain.Workspaces;
using ViaSocket.Workspaces;

namespace ViaSocket.Grains.Workspaces;

/// <summary>
/// A workspace's own OAuth clients (key: the workspace id), for the API and, as <see cref="IWorkspaceOAuthClientSecrets"/>,
/// for the workspace's connections. Keyed by workspace, so one workspace can never name another's client.
/// </summary>
internal sealed partial class WorkspaceOAuthClientsGrain(
    [PersistentState(StorageNames.WorkspaceOAuthClientsState, StorageNames.Default)] IPersistentState<WorkspaceOAuthClientsState> state,
    TimeProvider time,
    ILogger<WorkspaceOAuthClientsGrain> logger) : Grain, IWorkspaceOAuthClientsGrain, IWorkspaceOAuthClientSecrets
{
    private List<OAuthClientState> Clients => state.State.Clients;

    private string WorkspaceId => this.GetPrimaryKeyString();

    public async Task<OAuthClientResult> CreateAsync(CreateOAuthClient command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var problem = (Identifiers.IsValid(command.PluginId) ? null : "pluginId must be an identifier (letters, digits, '_', '-', '.').")
            ?? (command.VersionId is null || Identifiers.IsValid(command.VersionId) ? null : "versionId must be an identifier (letters, digits, '_', '-', '.') or absent.")
            ?? OAuthClientRules.CheckName(command.Name)
            ?? OAuthClientRules.CheckClientId(command.ClientId)
            ?? OAuthClientRules.CheckSecret(command.ClientSecret);
        if (problem is not null)
        {
            return Refused(OAuthClientErrorCodes.Invalid, problem);
        }

        if (Clients.Count >= OAuthClientRules.MaxClientsPerWorkspace)
        {
            return Refused(OAuthClientErrorCodes.TooMany, $"A workspace may have at most {OAuthClientRules.MaxClientsPerWorkspace} OAuth clients.");
        }

        var now = time.GetUtcNow();
        var client = new OAuthClientState
        {
            OAuthClientId = "oac_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
            PluginId = command.PluginId,
            VersionId = command.VersionId,
            Name = command.Name,
            ClientId = command.ClientId,
            ClientSecret = command.ClientSecret,
            CreatedAt = now,
            UpdatedAt = now,
            SecretUpdatedAt = now,
        };
        Clients.Add(client);
        await WriteStateAsync();
        LogClientCreated(logger, WorkspaceId, client.OAuthClientId, client.PluginId);
        return new OAuthClientResult(client.ToView(), null);
    }

    public Task<IReadOnlyList<OAuthClientView>> ListAsync(string? pluginId) =>
        Task.FromResult<IReadOnlyList<OAuthClientView>>([.. Clients.Where(c => pluginId is null || c.PluginId == pluginId).Select(c => c.ToView())]);

    public Task<OAuthClientView?> GetAsync(string oauthClientId) => Task.FromResult(Find(oauthClientId)?.ToView());

    public async Task<OAuthClientResult> UpdateAsync(UpdateOAuthClient command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (Find(command.OAuthClientId) is not { } client)
        {
            return Refused(OAuthClientErrorCodes.NotFound, "The OAuth client does not exist.");
        }

        var problem = (command.Name is null ? null : OAuthClientRules.CheckName(command.Name))
            ?? (command.ClientId is null ? null : OAuthClientRules.CheckClientId(command.ClientId))
            ?? (command.ClientSecret is null ? null : OAuthClientRules.CheckSecret(command.ClientSecret));
        if (problem is not null)
        {
            return Refused(OAuthClientErrorCodes.Invalid, problem);
        }

        var now = time.GetUtcNow();
        (client.Name, client.ClientId) = (command.Name ?? client.Name, command.ClientId ?? client.ClientId);
        if (command.ClientSecret is { } secret)
        {
            (client.ClientSecret, client.SecretUpdatedAt) = (secret, now);
        }

        client.UpdatedAt = now;
        await WriteStateAsync();
        LogClientUpdated(logger, WorkspaceId, client.OAuthClientId, command.ClientSecret is not null);
        return new OAuthClientResult(client.ToView(), null);
    }

    public async Task<bool> DeleteAsync(string oauthClientId)
    {
        if (Clients.RemoveAll(c => c.OAuthClientId == oauthClientId) == 0)
        {
            return false;
        }

        await WriteStateAsync();
        LogClientDeleted(logger, WorkspaceId, oauthClientId);
        return true;
    }

    public Task<OAuthClientCredentials?> ResolveAsync(string oauthClientId) =>
        Task.FromResult(Find(oauthClientId) is { } client ? new OAuthClientCredentials(client.PluginId, client.VersionId, client.ClientId, client.ClientSecret) : null);

    private OAuthClientState? Find(string oauthClientId) => Clients.Find(c => c.OAuthClientId == oauthClientId);

    /// <summary>Persists the state; when that fails, reloads it so memory never holds a change that was not stored.</summary>
    private async Task WriteStateAsync()
    {
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            await state.ReadStateAsync();
            throw;
        }
    }

    private static OAuthClientResult Refused(string code, string message) => new(null, new OAuthClientError(code, message));

    [LoggerMessage(Level = LogLevel.Information, Message = "OAuth client {OAuthClientId} for plugin {PluginId} added to workspace {WorkspaceId}")]
    private static partial void LogClientCreated(ILogger logger, string workspaceId, string oauthClientId, string pluginId);

    [LoggerMessage(Level = LogLevel.Information, Message = "OAuth client {OAuthClientId} of workspace {WorkspaceId} updated; secret rotated: {SecretRotated}")]
    private static partial void LogClientUpdated(ILogger logger, string workspaceId, string oauthClientId, bool secretRotated);

    [LoggerMessage(Level = LogLevel.Information, Message = "OAuth client {OAuthClientId} removed from workspace {WorkspaceId}")]
    private static partial void LogClientDeleted(ILogger logger, string workspaceId, string oauthClientId);
}

[GenerateSerializer]
internal sealed class WorkspaceOAuthClientsState
{
    [Id(0)] public List<OAuthClientState> Clients { get; set; } = [];
}

[GenerateSerializer]
internal sealed class OAuthClientState
{
    [Id(0)] public string OAuthClientId { get; set; } = "";
    [Id(1)] public string PluginId { get; set; } = "";
    [Id(2)] public string? VersionId { get; set; }
    [Id(3)] public string Name { get; set; } = "";
    [Id(4)] public string ClientId { get; set; } = "";

    /// <summary>SECRET: the provider-issued client secret, encrypted at rest with the whole state (EncryptedGrainStorage).</summary>
    [Id(5)] public string ClientSecret { get; set; } = "";

    [Id(6)] public DateTimeOffset CreatedAt { get; set; }
    [Id(7)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(8)] public DateTimeOffset SecretUpdatedAt { get; set; }

    public OAuthClientView ToView() => new(OAuthClientId, PluginId, VersionId, Name, ClientId, CreatedAt, UpdatedAt, SecretUpdatedAt);
}
