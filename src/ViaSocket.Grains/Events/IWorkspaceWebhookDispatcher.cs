using Orleans.Concurrency;
using ViaSocket.Events;

namespace ViaSocket.Grains.Events;

/// <summary>
/// The silo-side face of the workspace webhooks grain (same grain, same key: the workspace id): fans events out to
/// deliveries and signs their attempts, so the signing secret never leaves the grain.
/// </summary>
public interface IWorkspaceWebhookDispatcher : IGrainWithStringKey
{
    /// <summary>
    /// Durably enqueues one delivery per endpoint whose filter matches the event's kind; idempotent per event id.
    /// Returns how many endpoints matched.
    /// </summary>
    Task<int> DispatchAsync(ConnectionLifecycleEvent lifecycleEvent);

    /// <summary>
    /// Signs <paramref name="body"/> for an attempt to <paramref name="endpointId"/> with the current secret and time,
    /// or null when the endpoint was removed. Interleaves: it only reads state, and a delivery calling it must never
    /// wait behind a dispatch that waits for that delivery.
    /// </summary>
    [AlwaysInterleave]
    Task<SignedWebhookAttempt?> SignAsync(string endpointId, byte[] body);
}

/// <summary>Where and how to send one attempt.</summary>
/// <param name="Timestamp">Unix seconds, sent in <see cref="WebhookHeaders.Timestamp"/>.</param>
/// <param name="Signature">The <see cref="WebhookHeaders.Signature"/> value.</param>
[GenerateSerializer, Immutable]
public sealed record SignedWebhookAttempt(string Url, long Timestamp, string Signature);
