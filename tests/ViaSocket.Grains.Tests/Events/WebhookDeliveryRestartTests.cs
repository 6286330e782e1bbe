using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using ViaSocket.Events;
using ViaSocket.Grains.Events;
using ViaSocket.Testing.Postgres;

namespace ViaSocket.Grains.Tests.Events;

/// <summary>Deliveries and their reminders in real PostgreSQL: a pending delivery outlives the silo that accepted it.</summary>
public sealed class WebhookDeliveryRestartTests
{
    private const string Invariant = "Npgsql";

    [Fact]
    public async Task A_pending_delivery_survives_a_silo_restart_and_completes_on_the_new_silo()
    {
        // Arrange: the receiver is down (503) while the first silo runs.
        var connectionString = await new PostgresFixture().CreateDatabaseAsync();
        var serviceId = "webhooks-restart-" + Guid.NewGuid().ToString("N");
        await using var receiver = await WebhookReceiver.StartAsync();
        var receiverUp = false;
        receiver.AnswerForAttempt = _ => Volatile.Read(ref receiverUp) ? 200 : 503;
        var workspaceId = EventsCluster.NewWorkspaceId();
        var lifecycleEvent = EventsCluster.NewEvent(workspaceId);
        string endpointId;
        await using (var first = await StartAsync(connectionString, serviceId))
        {
            var added = await first.Client.GetGrain<IWorkspaceWebhooksGrain>(workspaceId).AddEndpointAsync(new AddWebhookEndpoint(receiver.BaseUrl + "/restart", null));
            endpointId = added.Endpoint!.EndpointId;
            receiver.Secret = added.NewSigningSecret;
            await first.Silos[0].ServiceProvider.GetRequiredService<IConnectionEventPublisher>().PublishAsync(lifecycleEvent);
            await receiver.WaitForAsync(all => all.Count >= 1);
            await first.StopAllSilosAsync();
        }

        var attemptsBeforeRestart = receiver.Received.Count;
        Volatile.Write(ref receiverUp, true);

        // Act: a new silo on the same database; nothing but the stored reminder triggers the delivery.
        await using var second = await StartAsync(connectionString, serviceId);
        var delivered = await receiver.WaitForAsync(all => all.Any(r => r.Answer == 200), TimeSpan.FromSeconds(60));

        // Assert
        var success = delivered.Single(r => r.Answer == 200);
        Assert.Equal(lifecycleEvent.EventId, success.EventId);
        Assert.True(success.SignatureValid);
        var delivery = await second.Client.GetGrain<IWebhookDeliveryGrain>(WebhookDeliveryKeys.For(workspaceId, endpointId, lifecycleEvent.EventId)).GetAsync();
        Assert.Equal(WebhookDeliveryStatus.Delivered, delivery!.Status);
        // Attempts made before the restart were persisted with the delivery (one more may have been cut off by the stop).
        Assert.InRange(delivery.Attempts, attemptsBeforeRestart, attemptsBeforeRestart + 1);
    }

    private static async Task<InProcessTestCluster> StartAsync(string connectionString, string serviceId)
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ServiceId = serviceId;
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddAdoNetGrainStorage(StorageNames.Default, o => (o.Invariant, o.ConnectionString) = (Invariant, connectionString));
            silo.AddMemoryGrainStorage(ConnectionEventsHostingExtensions.PubSubStorageName);
            silo.UseAdoNetReminderService(o => (o.Invariant, o.ConnectionString) = (Invariant, connectionString));
            silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
            silo.AddConnectionEvents(options =>
            {
                EventsCluster.ShortRetries(maxAttempts: 100)(options);
                options.ReminderPeriod = TimeSpan.FromSeconds(2);
            });
            silo.Services.AddGuardedOutboundHttp(o => o.AllowLoopback = true);
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }
}
