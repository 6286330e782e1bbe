using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;
using ViaSocket.Grains.Events;

namespace ViaSocket.Grains.Tests.Events;

/// <summary>A one-silo cluster like <see cref="EventsCluster"/> on a clock the tests move, with a one-hour default overlap.</summary>
public sealed class RotationCluster : IAsyncLifetime
{
    public static readonly TimeSpan DefaultOverlap = TimeSpan.FromHours(1);

    private InProcessTestCluster? cluster;

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    public IClusterClient Client => cluster?.Client ?? throw new InvalidOperationException("The cluster has not started.");

    public IConnectionEventPublisher Publisher => cluster!.Silos[0].ServiceProvider.GetRequiredService<IConnectionEventPublisher>();

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddSingleton<TimeProvider>(Clock);
            silo.AddMemoryGrainStorage(StorageNames.Default);
            silo.AddMemoryGrainStorage(ConnectionEventsHostingExtensions.PubSubStorageName);
            silo.UseInMemoryReminderService();
            silo.AddConnectionEvents(options =>
            {
                EventsCluster.ShortRetries(EventsCluster.MaxAttempts)(options);
                options.SecretRotationOverlap = DefaultOverlap;
            });
            silo.Services.AddGuardedOutboundHttp(o => o.AllowLoopback = true);
        });
        cluster = builder.Build();
        await cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        if (cluster is not null)
        {
            await cluster.DisposeAsync();
        }
    }
}
