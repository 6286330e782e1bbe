using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using ViaSocket.Events;
using ViaSocket.Grains.Events;

namespace ViaSocket.Server.Tests.Infrastructure;

/// <summary>Keeps every lifecycle event the service publishes (to streams and webhooks alike), for assertions on what went out.</summary>
public sealed class RecordingPublisher : IConnectionEventPublisher
{
    private readonly ConcurrentQueue<ConnectionLifecycleEvent> published = new();

    public IReadOnlyList<ConnectionLifecycleEvent> Of(string connectionId, string kind) =>
        [.. published.Where(e => e.ConnectionId == connectionId && e.Kind == kind)];

    public Task PublishAsync(ConnectionLifecycleEvent lifecycleEvent)
    {
        published.Enqueue(lifecycleEvent);
        return Task.CompletedTask;
    }
}

/// <summary>The service on a fake clock, recording the lifecycle events it publishes; the test provider keeps real time.</summary>
public sealed class RecordingFakeClockServiceFixture : ServiceFixture
{
    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    public RecordingPublisher Events { get; } = new();

    protected override TimeProvider? Clock => Time;

    protected override void ConfigureServices(IServiceCollection services) => services.AddSingleton<IConnectionEventPublisher>(Events);
}
