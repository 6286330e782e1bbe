using Orleans.Concurrency;

namespace ViaSocket.Grains.Workspaces;

/// <summary>
/// The silo-side face of the workspace OAuth clients grain (same grain, same key: the workspace id): hands a client's
/// credentials to the connections of that workspace, the one way its secret leaves the grain.
/// </summary>
public interface IWorkspaceOAuthClientSecrets : IGrainWithStringKey
{
    /// <summary>
    /// The client with its secret, or null when the workspace has none with this id. The caller checks that it is
    /// registered for the connection's plugin and version. Read-only, so connections asking at once do not queue.
    /// </summary>
    [ReadOnly]
    Task<OAuthClientCredentials?> ResolveAsync(string oauthClientId);
}

/// <summary>A workspace's client as its connections use it.</summary>
/// <param name="ClientSecret">Secret: only for the connection's blocks, never returned or logged.</param>
[GenerateSerializer, Immutable]
public sealed record OAuthClientCredentials(string PluginId, string? VersionId, string ClientId, string ClientSecret)
{
    public override string ToString() => $"OAuthClientCredentials {{ PluginId = {PluginId}, VersionId = {VersionId}, ClientId = {ClientId} }}";
}
