using ViaSocket.Events;

namespace ViaSocket.Grains.Events;

/// <summary>
/// One event delivered to one endpoint (key: <see cref="WebhookDeliveryKeys.For"/>): persisted when enqueued,
/// attempted until a 2xx answer, retried with backoff, given up after <see cref="WebhookDeliveryOptions.MaxAttempts"/>.
/// </summary>
public interface IWebhookDeliveryGrain : IGrainWithStringKey
{
    /// <summary>Persists the pending delivery and schedules its first attempt. A delivery that already exists is left as it is.</summary>
    Task EnqueueAsync(WebhookDelivery delivery);

    /// <summary>The delivery's progress, or null when it was never enqueued.</summary>
    Task<WebhookDeliveryView?> GetAsync();
}

[GenerateSerializer, Immutable]
public sealed record WebhookDelivery(string WorkspaceId, string EndpointId, ConnectionLifecycleEvent Event);

/// <param name="LastStatusCode">The HTTP status of the last attempt, when one was received.</param>
/// <param name="LastError">A <see cref="WebhookDeliveryErrors"/> code for the last failed attempt.</param>
[GenerateSerializer, Immutable]
public sealed record WebhookDeliveryView(
    string WorkspaceId,
    string EndpointId,
    string EventId,
    WebhookDeliveryStatus Status,
    int Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset? CompletedAt,
    int? LastStatusCode,
    string? LastError);

public enum WebhookDeliveryStatus
{
    /// <summary>Waiting for its next attempt.</summary>
    Pending,
    /// <summary>The endpoint answered 2xx.</summary>
    Delivered,
    /// <summary>Every attempt failed.</summary>
    Failed,
    /// <summary>The endpoint was removed before the event could be delivered.</summary>
    Abandoned,
}

/// <summary>Why an attempt failed: stable codes, never response bodies or URLs.</summary>
public static class WebhookDeliveryErrors
{
    public const string HttpStatus = "http_status";
    public const string Timeout = "timeout";
    public const string Network = "network";
    public const string AddressRefused = "address_refused";
    public const string ResponseTooLarge = "response_too_large";
    public const string EndpointRemoved = "endpoint_removed";
}

/// <summary>Grain keys of deliveries: workspace, endpoint and event, so every (event, endpoint) pair is delivered once.</summary>
public static class WebhookDeliveryKeys
{
    public static string For(string workspaceId, string endpointId, string eventId) => string.Join('/', workspaceId, endpointId, eventId);
}
