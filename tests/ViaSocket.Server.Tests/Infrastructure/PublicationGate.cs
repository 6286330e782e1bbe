using ViaSocket.Events;
using ViaSocket.Grains.Events;

namespace ViaSocket.Server.Tests.Infrastructure;

/// <summary>Accepts every event at once, except the one it was told to hold, which waits for <see cref="Release"/>.</summary>
public sealed class PublicationGate : IConnectionEventPublisher
{
    private TaskCompletionSource released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource? entered;
    private (string ConnectionId, string Kind)? awaited;

    /// <summary>Holds the next <paramref name="kind"/> event of the connection; the task completes when it arrives.</summary>
    public Task HoldNext(string connectionId, string kind)
    {
        awaited = (connectionId, kind);
        released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return entered.Task;
    }

    public void Release() => released.TrySetResult();

    public async Task PublishAsync(ConnectionLifecycleEvent lifecycleEvent)
    {
        if (awaited is { } hold && hold.ConnectionId == lifecycleEvent.ConnectionId && hold.Kind == lifecycleEvent.Kind)
        {
            entered!.TrySetResult();
            await released.Task;
        }
    }
}
