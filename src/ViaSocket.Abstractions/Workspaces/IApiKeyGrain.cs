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

    /// <summary>
    /// Revokes the key if it belongs to <paramref name="workspaceId"/> and <paramref name="revokerScopes"/> hold every
    /// scope it has: a key cannot take away what it could not have granted (a workspace key cannot revoke the operator's).
    /// </summary>
    Task<ApiKeyRevocation> RevokeAsync(string workspaceId, IReadOnlyList<string> revokerScopes);
}

public enum ApiKeyRevocation
{
    Revoked,
    NotFound,

    /// <summary>The key has a scope the revoking key lacks.</summary>
    ScopeEscalation,
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

    /// <summary>Every scope a key can be created with: <see cref="All"/> and <see cref="Operator"/>.</summary>
    public static IReadOnlyList<string> Grantable { get; } = [.. All, Operator];

    /// <summary>
    /// The scopes of <paramref name="requested"/> that <paramref name="held"/> lacks (exact, case-sensitive names): a key
    /// grants or takes away only what it holds itself.
    /// </summary>
    public static IReadOnlyList<string> NotHeld(IEnumerable<string> requested, IEnumerable<string> held)
    {
        var holding = held.ToHashSet(StringComparer.Ordinal);
        return [.. requested.Where(scope => !holding.Contains(scope)).Distinct(StringComparer.Ordinal)];
    }
}
