using ViaSocket.Connections;

namespace ViaSocket.Events;

/// <summary>
/// A change in a connection's lifecycle (created, connected, degraded, recovered, reauth_required, revoked, ...),
/// published on the <see cref="EventStreams"/> stream of its workspace and delivered to the workspace's webhooks.
/// Never carries token material.
/// </summary>
/// <param name="EventId">Unique per event; receivers use it to drop duplicates (delivery is at least once).</param>
/// <param name="Kind">One of the connection event kinds, e.g. <c>reauth_required</c>.</param>
/// <param name="Detail">A stable code saying why (e.g. the failure code), never a secret.</param>
[GenerateSerializer, Immutable]
public sealed record ConnectionLifecycleEvent(
    string EventId,
    string WorkspaceId,
    string ConnectionId,
    string OwnerId,
    string PluginId,
    string VersionId,
    string Kind,
    ConnectionStatus Status,
    DateTimeOffset At,
    string? Detail);

/// <summary>Where lifecycle events are published for engines that are cluster clients.</summary>
public static class EventStreams
{
    /// <summary>The Orleans stream provider name.</summary>
    public const string ProviderName = "viasocket-events";

    /// <summary>The stream namespace; the stream key is the workspace id.</summary>
    public const string ConnectionEvents = "connection-events";
}
