using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using ViaSocket.Connections;
using ViaSocket.Events;
using ViaSocket.Grains.Events;

namespace ViaSocket.Grains.Tests.Events;

/// <summary>
/// A one-silo in-process cluster with lifecycle events registered as the host does, memory storage and reminders,
/// short retry delays, loopback allowed for the guarded client, and a client that can subscribe to event streams.
/// </summary>
public sealed class EventsCluster : IAsyncLifetime
{
    public const int MaxAttempts = 4;

    private InProcessTestCluster? cluster;

    public IClusterClient Client => cluster?.Client ?? throw new InvalidOperationException("The cluster has not started.");

    /// <summary>The publisher the connection grain uses, resolved from the silo.</summary>
    public IConnectionEventPublisher Publisher => cluster!.Silos[0].ServiceProvider.GetRequiredService<IConnectionEventPublisher>();

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMemoryGrainStorage(StorageNames.Default);
            silo.AddMemoryGrainStorage(ConnectionEventsHostingExtensions.PubSubStorageName);
            silo.UseInMemoryReminderService();
            silo.AddConnectionEvents(ShortRetries(MaxAttempts));
            silo.Services.AddGuardedOutboundHttp(o => o.AllowLoopback = true);
        });
        builder.ConfigureClient(client => client.AddConnectionEventsClient());
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

    public static Action<WebhookDeliveryOptions> ShortRetries(int maxAttempts) => options =>
    {
        options.MaxAttempts = maxAttempts;
        options.InitialDelay = TimeSpan.FromMilliseconds(100);
        options.BackoffFactor = 1.5;
        options.MaxDelay = TimeSpan.FromMilliseconds(400);
        options.AttemptTimeout = TimeSpan.FromSeconds(5);
    };

    public static string NewWorkspaceId() => "ws_" + Guid.NewGuid().ToString("N");

    public static ConnectionLifecycleEvent NewEvent(string workspaceId, string kind = "reauth_required") => new(
        "evt_" + Guid.NewGuid().ToString("N"), workspaceId, "conn_1", "owner_1", "plugin_1", "v1", kind,
        ConnectionStatus.ReauthRequired, DateTimeOffset.UtcNow, "connection.refresh_failed");
}
