using ViaSocket.Events;

namespace ViaSocket.Grains.Events;

/// <summary>
/// Hands each event to the workspace's webhooks (durably enqueued deliveries) and publishes it on the workspace's
/// stream, both at once; a failure of either is reported after both were tried.
/// </summary>
internal sealed class ConnectionEventPublisher(IClusterClient client) : IConnectionEventPublisher
{
    public async Task PublishAsync(ConnectionLifecycleEvent lifecycleEvent)
    {
        ArgumentNullException.ThrowIfNull(lifecycleEvent);
        var webhooks = client.GetGrain<IWorkspaceWebhookDispatcher>(lifecycleEvent.WorkspaceId).DispatchAsync(lifecycleEvent);
        var stream = client.GetStreamProvider(EventStreams.ProviderName)
            .GetStream<ConnectionLifecycleEvent>(StreamId.Create(EventStreams.ConnectionEvents, lifecycleEvent.WorkspaceId));
        await Task.WhenAll(webhooks, stream.OnNextAsync(lifecycleEvent));
    }
}
