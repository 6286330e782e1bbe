using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ViaSocket.Events;
using ViaSocket.Grains.Diagnostics;
using ViaSocket.Grains.Events;

namespace Orleans.Hosting;

public static class ConnectionEventsHostingExtensions
{
    /// <summary>The grain storage the stream provider keeps its subscriptions in; the host must register it durably.</summary>
    public const string PubSubStorageName = "PubSubStore";

    /// <summary>
    /// Registers lifecycle events on a silo: the <see cref="IConnectionEventPublisher"/>, the memory stream provider
    /// <see cref="EventStreams.ProviderName"/> and webhook delivery. The host must also register a grain storage named
    /// <see cref="PubSubStorageName"/> (durable, e.g. ADO.NET, so stream subscriptions survive restarts), a reminder
    /// service, and configure the guarded outbound client (<c>AddGuardedOutboundHttp</c>), whose address policy
    /// applies to webhook URLs too.
    /// </summary>
    public static ISiloBuilder AddConnectionEvents(this ISiloBuilder silo, Action<WebhookDeliveryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.AddMemoryStreams(EventStreams.ProviderName);
        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.AddGuardedOutboundHttp();
        var options = silo.Services.AddOptions<WebhookDeliveryOptions>()
            .Validate(o => o.Validate() is null, "WebhookDeliveryOptions are invalid: MaxAttempts >= 1, positive delays, MaxDelay >= InitialDelay, BackoffFactor >= 1, JitterRatio in [0, 1], SecretRotationOverlap in [0, 7 days].")
            .ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        silo.Services.TryAddSingleton<IConnectionEventPublisher, ConnectionEventPublisher>();
        silo.Services.AddViaSocketMetrics();
        return silo;
    }

    /// <summary>
    /// Lets an Orleans client (a workflow engine) subscribe to lifecycle events: registers the stream provider
    /// <see cref="EventStreams.ProviderName"/>. Subscribe to <c>StreamId.Create(EventStreams.ConnectionEvents, workspaceId)</c>.
    /// </summary>
    public static IClientBuilder AddConnectionEventsClient(this IClientBuilder client)
    {
        ArgumentNullException.ThrowIfNull(client);
        return client.AddMemoryStreams(EventStreams.ProviderName);
    }
}
