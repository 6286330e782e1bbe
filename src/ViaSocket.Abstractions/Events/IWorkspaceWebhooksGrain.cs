namespace ViaSocket.Events;

/// <summary>
/// The webhook configuration of one workspace (key: the workspace id): up to <see cref="WebhookLimits.MaxEndpoints"/>
/// endpoints and one signing secret shared by them. The secret is returned only when it is created or rotated.
/// </summary>
public interface IWorkspaceWebhooksGrain : IGrainWithStringKey
{
    /// <summary>
    /// Adds an endpoint. The URL must be absolute https (http only for loopback hosts) without user info. Creates the
    /// workspace's signing secret when it has none and returns it in <see cref="AddWebhookEndpointResult.NewSigningSecret"/>.
    /// </summary>
    Task<AddWebhookEndpointResult> AddEndpointAsync(AddWebhookEndpoint command);

    /// <summary>Removes an endpoint; pending deliveries to it are abandoned. False when no such endpoint exists.</summary>
    Task<bool> RemoveEndpointAsync(string endpointId);

    /// <summary>The endpoints, oldest first. Never includes the signing secret.</summary>
    Task<IReadOnlyList<WebhookEndpoint>> ListEndpointsAsync();

    /// <summary>
    /// Replaces the signing secret (or creates the first one) and returns it; this is the only time it is shown.
    /// Deliveries attempted from now on are signed with the new secret and, until the overlap ends, with the previous
    /// one too (a second <c>v1=</c> signature), so receivers can switch secrets without refusing a delivery. A
    /// rotation within the overlap of an earlier one drops the oldest secret at once.
    /// </summary>
    Task<RotateWebhookSecretResult> RotateSecretAsync(RotateWebhookSecret command);
}

/// <param name="Overlap">
/// How long deliveries carry a signature made with the previous secret too: zero for none, at most
/// <see cref="WebhookLimits.MaxSecretOverlap"/>; null for the silo's default (24 hours unless configured).
/// </param>
[GenerateSerializer, Immutable]
public sealed record RotateWebhookSecret(TimeSpan? Overlap = null);

/// <param name="SigningSecret">The new secret; shown only here.</param>
/// <param name="PreviousSecretValidUntil">Until when the previous secret still signs; null when there is no overlap.</param>
[GenerateSerializer, Immutable]
public sealed record RotateWebhookSecretResult(string? SigningSecret, DateTimeOffset? PreviousSecretValidUntil, WebhookError? Error)
{
    public bool Succeeded => Error is null;
}

/// <param name="Url">Where to POST events.</param>
/// <param name="Events">Event kinds to deliver (e.g. <c>reauth_required</c>); null or empty delivers every kind.</param>
[GenerateSerializer, Immutable]
public sealed record AddWebhookEndpoint(string Url, IReadOnlyList<string>? Events);

/// <summary>A configured webhook endpoint.</summary>
/// <param name="Events">The kinds delivered to it; empty means all.</param>
[GenerateSerializer, Immutable]
public sealed record WebhookEndpoint(string EndpointId, string Url, IReadOnlyList<string> Events, DateTimeOffset CreatedAt);

/// <param name="NewSigningSecret">The workspace's signing secret when this call created it; otherwise null.</param>
[GenerateSerializer, Immutable]
public sealed record AddWebhookEndpointResult(WebhookEndpoint? Endpoint, string? NewSigningSecret, WebhookError? Error)
{
    public bool Succeeded => Error is null;
}

/// <summary>A refused webhook change, with a stable code.</summary>
[GenerateSerializer, Immutable]
public sealed record WebhookError(string Code, string Message);

/// <summary>Stable error codes of webhook configuration.</summary>
public static class WebhookErrorCodes
{
    public const string InvalidUrl = "webhook.invalid_url";
    public const string InvalidEvents = "webhook.invalid_events";
    public const string TooManyEndpoints = "webhook.too_many_endpoints";
    public const string NotFound = "webhook.not_found";
    public const string InvalidOverlap = "webhook.invalid_overlap";
}

/// <summary>Bounds of a workspace's webhook configuration.</summary>
public static class WebhookLimits
{
    public const int MaxEndpoints = 10;
    public const int MaxUrlLength = 2048;

    /// <summary>The longest time a rotated-out signing secret may keep signing.</summary>
    public static readonly TimeSpan MaxSecretOverlap = TimeSpan.FromDays(7);
}
