using System.Text.Json;
using ViaSocket.Connections;
using ViaSocket.Events;

namespace ViaSocket.Grains.Events;

/// <summary>
/// The JSON body of a webhook: the lifecycle event in camelCase with the status as its wire name. Written member by
/// member so the document carries exactly these keys, whatever is added to the event record later.
/// </summary>
public static class WebhookPayload
{
    /// <summary>The UTF-8 body for <paramref name="lifecycleEvent"/>; the same bytes on every call.</summary>
    public static byte[] Serialize(ConnectionLifecycleEvent lifecycleEvent)
    {
        ArgumentNullException.ThrowIfNull(lifecycleEvent);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("eventId", lifecycleEvent.EventId);
            json.WriteString("workspaceId", lifecycleEvent.WorkspaceId);
            json.WriteString("connectionId", lifecycleEvent.ConnectionId);
            json.WriteString("ownerId", lifecycleEvent.OwnerId);
            json.WriteString("pluginId", lifecycleEvent.PluginId);
            json.WriteString("versionId", lifecycleEvent.VersionId);
            json.WriteString("kind", lifecycleEvent.Kind);
            json.WriteString("status", lifecycleEvent.Status.ToWireName());
            json.WriteString("at", lifecycleEvent.At.ToUniversalTime());
            json.WriteString("detail", lifecycleEvent.Detail);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
