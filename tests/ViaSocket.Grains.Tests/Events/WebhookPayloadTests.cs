using System.Text.Json;
using ViaSocket.Connections;
using ViaSocket.Events;
using ViaSocket.Grains.Events;

namespace ViaSocket.Grains.Tests.Events;

public sealed class WebhookPayloadTests
{
    private static readonly ConnectionLifecycleEvent Event = new(
        "evt_1", "ws_1", "conn_1", "owner_1", "plugin_1", "v1", "reauth_required", ConnectionStatus.ReauthRequired,
        new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.FromHours(2)), "connection.refresh_failed");

    [Fact]
    public void The_body_has_exactly_the_documented_camel_case_keys()
    {
        using var json = JsonDocument.Parse(WebhookPayload.Serialize(Event));

        var keys = json.RootElement.EnumerateObject().Select(property => property.Name).ToList();

        Assert.Equal(
            ["eventId", "workspaceId", "connectionId", "ownerId", "pluginId", "versionId", "kind", "status", "at", "detail"],
            keys);
    }

    [Fact]
    public void The_status_is_its_wire_name_and_the_time_is_utc()
    {
        using var json = JsonDocument.Parse(WebhookPayload.Serialize(Event));

        Assert.Equal("reauth_required", json.RootElement.GetProperty("status").GetString());
        Assert.Equal("2026-03-04T03:06:07+00:00", json.RootElement.GetProperty("at").GetString());
        Assert.Equal("connection.refresh_failed", json.RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public void A_missing_detail_is_null()
    {
        using var json = JsonDocument.Parse(WebhookPayload.Serialize(Event with { Detail = null }));

        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("detail").ValueKind);
    }

    [Fact]
    public void The_same_event_serializes_to_the_same_bytes_so_retries_carry_an_identical_body()
    {
        Assert.Equal(WebhookPayload.Serialize(Event), WebhookPayload.Serialize(Event));
    }
}
