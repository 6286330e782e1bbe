using ViaSocket.Events;

namespace ViaSocket.Grains.Events;

/// <summary>Publishes a connection's lifecycle events: to the workspace's Orleans stream and its webhooks.</summary>
public interface IConnectionEventPublisher
{
    /// <summary>
    /// Hands the event over for publication. Returns once it is durably accepted for webhook delivery and published
    /// on the stream; a failure here never undoes the state change that caused the event.
    /// </summary>
    Task PublishAsync(ConnectionLifecycleEvent lifecycleEvent);
}
