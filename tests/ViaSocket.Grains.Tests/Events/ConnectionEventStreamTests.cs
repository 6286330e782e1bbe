using Orleans.Streams;
using ViaSocket.Events;

namespace ViaSocket.Grains.Tests.Events;

public sealed class ConnectionEventStreamTests(EventsCluster cluster) : IClassFixture<EventsCluster>
{
    [Fact]
    public async Task A_published_event_reaches_a_client_subscribed_to_the_workspace_stream()
    {
        // Arrange
        var workspaceId = EventsCluster.NewWorkspaceId();
        var received = new TaskCompletionSource<ConnectionLifecycleEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        var stream = cluster.Client.GetStreamProvider(EventStreams.ProviderName)
            .GetStream<ConnectionLifecycleEvent>(StreamId.Create(EventStreams.ConnectionEvents, workspaceId));
        var subscription = await stream.SubscribeAsync((lifecycleEvent, _) =>
        {
            received.TrySetResult(lifecycleEvent);
            return Task.CompletedTask;
        });
        var published = EventsCluster.NewEvent(workspaceId, "revoked");

        // Act
        await cluster.Publisher.PublishAsync(published);
        var delivered = await received.Task.WaitAsync(TimeSpan.FromSeconds(15));

        // Assert
        Assert.Equal(published, delivered);
        await subscription.UnsubscribeAsync();
    }

    [Fact]
    public async Task A_subscriber_of_another_workspace_does_not_see_the_event()
    {
        // Arrange
        var workspaceId = EventsCluster.NewWorkspaceId();
        var otherWorkspaceId = EventsCluster.NewWorkspaceId();
        var provider = cluster.Client.GetStreamProvider(EventStreams.ProviderName);
        var seenByOther = 0;
        var seenByOwn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var other = await provider.GetStream<ConnectionLifecycleEvent>(StreamId.Create(EventStreams.ConnectionEvents, otherWorkspaceId))
            .SubscribeAsync((_, _) => Task.FromResult(Interlocked.Increment(ref seenByOther)));
        var own = await provider.GetStream<ConnectionLifecycleEvent>(StreamId.Create(EventStreams.ConnectionEvents, workspaceId))
            .SubscribeAsync((_, _) =>
            {
                seenByOwn.TrySetResult();
                return Task.CompletedTask;
            });

        // Act
        await cluster.Publisher.PublishAsync(EventsCluster.NewEvent(workspaceId));
        await seenByOwn.Task.WaitAsync(TimeSpan.FromSeconds(15));

        // Assert
        Assert.Equal(0, Volatile.Read(ref seenByOther));
        await other.UnsubscribeAsync();
        await own.UnsubscribeAsync();
    }
}
