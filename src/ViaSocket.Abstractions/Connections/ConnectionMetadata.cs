namespace ViaSocket.Connections;

/// <summary>A connection's non-secret metadata for engines (<see cref="IConnectionGrain.GetMetadataAsync"/>).</summary>
/// <param name="BaseUrl">The rendered base URL; null when the version declares none or it cannot be rendered for this connection.</param>
/// <param name="Extras">The version's <c>publicExtras</c>, rendered; an extra whose value has not arrived is absent.</param>
/// <param name="GrantedScopes">What the provider granted (its token response's <c>scope</c>, else what was requested); null before the first authorization.</param>
[GenerateSerializer, Immutable]
public sealed record ConnectionMetadata(
    string ConnectionId,
    string PluginId,
    string VersionId,
    ConnectionStatus Status,
    string? BaseUrl,
    IReadOnlyDictionary<string, string> Extras,
    IReadOnlyList<string>? GrantedScopes = null);
