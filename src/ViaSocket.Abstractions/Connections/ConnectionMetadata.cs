namespace ViaSocket.Connections;

/// <summary>A connection's non-secret metadata for engines (<see cref="IConnectionGrain.GetMetadataAsync"/>).</summary>
/// <param name="BaseUrl">The rendered base URL; null when the version declares none or it cannot be rendered for this connection.</param>
/// <param name="Extras">The version's <c>publicExtras</c>, rendered; an extra whose value has not arrived is absent.</param>
/// <remarks>Granted scopes (issue 28 section 3) belong here, as the next member.</remarks>
[GenerateSerializer, Immutable]
public sealed record ConnectionMetadata(
    string ConnectionId,
    string PluginId,
    string VersionId,
    ConnectionStatus Status,
    string? BaseUrl,
    IReadOnlyDictionary<string, string> Extras);
