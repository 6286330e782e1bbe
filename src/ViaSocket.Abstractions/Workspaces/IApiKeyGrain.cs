namespace ViaSocket.Workspaces;

/// <summary>
/// One workspace API key (key: the key id, the public part of the key). Stores only a hash of the secret part.
/// </summary>
public interface IApiKeyGrain : IGrainWithStringKey
{
    /// <summary>Stores a new key. Refused when a key with this id already exists for another secret or workspace.</summary>
    Task<bool> CreateAsync(ApiKeyRegistration registration);

    /// <summary>The key's workspace and scopes when <paramref name="secretHash"/> matches and the key is not revoked; otherwise null.</summary>
    Task<ApiKeyIdentity?> VerifyAsync(byte[] secretHash);

    /// <summary>Revokes the key if it belongs to <paramref name="workspaceId"/>; false when it does not exist there.</summary>
    Task<bool> RevokeAsync(string workspaceId);
}

/// <param name="SecretHash">SHA-256 of the secret part; API keys carry 256 random bits, so a fast hash suffices.</param>
[GenerateSerializer, Immutable]
public sealed record ApiKeyRegistration(string WorkspaceId, byte[] SecretHash, IReadOnlyList<string> Scopes, string? Description);

[GenerateSerializer, Immutable]
public sealed record ApiKeyIdentity(string KeyId, string WorkspaceId, IReadOnlyList<string> Scopes);

/// <summary>What an API key may do.</summary>
public static class ApiKeyScopes
{
    public const string DefinitionsRead = "definitions:read";
    public const string DefinitionsWrite = "definitions:write";
    public const string ConnectionsRead = "connections:read";
    public const string ConnectionsWrite = "connections:write";
    public const string CredentialsRead = "credentials:read";

    /// <summary>Create and revoke the workspace's API keys.</summary>
    public const string KeysWrite = "keys:write";

    /// <summary>
    /// Operate the service: the Orleans Dashboard. Not part of <see cref="All"/>: it shows every workspace's grains, so
    /// a workspace key gets it only when granted explicitly (the bootstrap key has it).
    /// </summary>
    public const string Operator = "operator";

    public static IReadOnlyList<string> All { get; } =
        [DefinitionsRead, DefinitionsWrite, ConnectionsRead, ConnectionsWrite, CredentialsRead, KeysWrite];
}
