using System.Text.Json;
using ViaSocket.Events;
using ViaSocket.Grains.Events;

namespace ViaSocket.Grains.Tests.Events;

public sealed class WebhookDeliveryTests(EventsCluster cluster) : IClassFixture<EventsCluster>
{
    [Fact]
    public async Task A_published_event_reaches_the_receiver_signed_with_the_workspace_secret_and_a_fresh_timestamp()
    {
        // Arrange
        await using var receiver = await WebhookReceiver.StartAsync();
        var workspaceId = EventsCluster.NewWorkspaceId();
        var added = await Webhooks(workspaceId).AddEndpointAsync(new AddWebhookEndpoint(receiver.BaseUrl + "/hooks", null));
        receiver.Secret = added.NewSigningSecret;
        var lifecycleEvent = EventsCluster.NewEvent(workspaceId);

        // Act
        await cluster.Publisher.PublishAsync(lifecycleEvent);
        var received = (await receiver.WaitForAsync(all => all.Count == 1)).Single();

        // Assert
        Assert.True(received.SignatureValid);
        Assert.True(received.TimestampFresh);
        Assert.Equal(lifecycleEvent.EventId, received.EventId);
        Assert.Equal("/hooks", received.Path);
        Assert.StartsWith("application/json", received.ContentType);
        using var body = JsonDocument.Parse(received.Body);
        Assert.Equal(lifecycleEvent.ConnectionId, body.RootElement.GetProperty("connectionId").GetString());
        Assert.Equal("reauth_required", body.RootElement.GetProperty("status").GetString());
        await WaitForStatusAsync(workspaceId, added.Endpoint!.EndpointId, lifecycleEvent.EventId, WebhookDeliveryStatus.Delivered);
    }

    [Fact]
    public async Task The_body_carries_only_the_documented_keys_and_no_token_material()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var workspaceId = EventsCluster.NewWorkspaceId();
        receiver.Secret = (await Webhooks(workspaceId).AddEndpointAsync(new AddWebhookEndpoint(receiver.BaseUrl, null))).NewSigningSecret;

        await cluster.Publisher.PublishAsync(EventsCluster.NewEvent(workspaceId));
        var received = (await receiver.WaitForAsync(all => all.Count == 1)).Single();

        using var body = JsonDocument.Parse(received.Body);
        var keys = body.RootElement.EnumerateObject().Select(property => property.Name).ToList();
        string[] documented = ["eventId", "workspaceId", "connectionId", "ownerId", "pluginId", "versionId", "kind", "status", "at", "detail"];
        Assert.Equal(documented.Order(), keys.Order());
        Assert.DoesNotContain(keys, key => key.Contains("token", StringComparison.OrdinalIgnoreCase) || key.Contains("secret", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_receiver_that_fails_twice_gets_the_event_on_the_third_attempt()
    {
        // Arrange
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.AnswerForAttempt = attempt => attempt <= 2 ? 503 : 200;
        var workspaceId = EventsCluster.NewWorkspaceId();
        var added = await Webhooks(workspaceId).AddEndpointAsync(new AddWebhookEndpoint(receiver.BaseUrl + "/flaky", null));
        receiver.Secret = added.NewSigningSecret;
        var lifecycleEvent = EventsCluster.NewEvent(workspaceId);

        // Act
        await cluster.Publisher.PublishAsync(lifecycleEvent);
        var delivery = await WaitForStatusAsync(workspaceId, added.Endpoint!.EndpointId, lifecycleEvent.EventId, WebhookDeliveryStatus.Delivered);

        // Assert
        Assert.Equal(3, delivery.Attempts);
        Assert.Equal(200, delivery.LastStatusCode);
        Assert.Null(delivery.LastError);
        var requests = receiver.Received;
        Assert.Equal([503, 503, 200], requests.Select(r => r.Answer));
        Assert.All(requests, r => Assert.True(r.SignatureValid));
        Assert.Single(requests.Select(r => r.Body).Distinct());
    }

    [Fact]
    public async Task A_receiver_that_never_succeeds_is_given_up_after_the_maximum_attempts()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.AnswerForAttempt = _ => 500;
        var workspaceId = EventsCluster.NewWorkspaceId();
        var endpointId = (await Webhooks(workspaceId).AddEndpointAsync(new AddWebhookEndpoint(receiver.BaseUrl, null))).Endpoint!.EndpointId;
        var lifecycleEvent = EventsCluster.NewEvent(workspaceId);

        await cluster.Publisher.PublishAsync(lifecycleEvent);
        var delivery = await WaitForStatusAsync(workspaceId, endpointId, lifecycleEvent.EventId, WebhookDeliveryStatus.Failed);

        Assert.Equal(EventsCluster.MaxAttempts, delivery.Attempts);
        Assert.Equal(500, delivery.LastStatusCode);
        Assert.Equal(WebhookDeliveryErrors.HttpStatus, delivery.LastError);
        Assert.Equal(EventsCluster.MaxAttempts, receiver.Received.Count);
    }

    [Fact]
    public async Task An_unreachable_receiver_is_retried_as_a_network_failure()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var closedUrl = receiver.BaseUrl;
        await receiver.DisposeAsync();
        var workspaceId = EventsCluster.NewWorkspaceId();
        var endpointId = (await Webhooks(workspaceId).AddEndpointAsync(new AddWebhookEndpoint(closedUrl, null))).Endpoint!.EndpointId;
        var lifecycleEvent = EventsCluster.NewEvent(workspaceId);

        await cluster.Publisher.PublishAsync(lifecycleEvent);
        var delivery = await WaitForStatusAsync(workspaceId, endpointId, lifecycleEvent.EventId, WebhookDeliveryStatus.Failed);

        Assert.Equal(EventsCluster.MaxAttempts, delivery.Attempts);
        Assert.Null(delivery.LastStatusCode);
        Assert.Equal(WebhookDeliveryErrors.Network, delivery.LastError);
    }

    [Fact]
    public async Task Only_endpoints_whose_filter_lists_the_kind_receive_the_event()
    {
        // Arrange
        await using var receiver = await WebhookReceiver.StartAsync();
        var workspaceId = EventsCluster.NewWorkspaceId();
        var webhooks = Webhooks(workspaceId);
        var revokedOnly = (await webhooks.AddEndpointAsync(new AddWebhookEndpoint(receiver.BaseUrl + "/revoked-only", ["revoked"]))).Endpoint!;
        var reauthOnly = (await webhooks.AddEndpointAsync(new AddWebhookEndpoint(receiver.BaseUrl + "/reauth-only", ["reauth_required"]))).Endpoint!;
        var everything = (await webhooks.AddEndpointAsync(new AddWebhookEndpoint(receiver.BaseUrl + "/all", []))).Endpoint!;
        var lifecycleEvent = EventsCluster.NewEvent(workspaceId, "reauth_required");

        // Act
        await cluster.Publisher.PublishAsync(lifecycleEvent);
        await receiver.WaitForAsync(all => all.Count == 2);

        // Assert
        Assert.Equal(["/all", "/reauth-only"], receiver.Received.Select(r => r.Path).Order());
        Assert.Null(await Delivery(workspaceId, revokedOnly.EndpointId, lifecycleEvent.EventId).GetAsync());
        Assert.NotNull(await Delivery(workspaceId, reauthOnly.EndpointId, lifecycleEvent.EventId).GetAsync());
        Assert.NotNull(await Delivery(workspaceId, everything.EndpointId, lifecycleEvent.EventId).GetAsync());
    }

    [Fact]
    public async Task Publishing_the_same_event_again_does_not_deliver_it_twice()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var workspaceId = EventsCluster.NewWorkspaceId();
        var endpointId = (await Webhooks(workspaceId).AddEndpointAsync(new AddWebhookEndpoint(receiver.BaseUrl, null))).Endpoint!.EndpointId;
        var lifecycleEvent = EventsCluster.NewEvent(workspaceId);
        await cluster.Publisher.PublishAsync(lifecycleEvent);
        await WaitForStatusAsync(workspaceId, endpointId, lifecycleEvent.EventId, WebhookDeliveryStatus.Delivered);

        await cluster.Publisher.PublishAsync(lifecycleEvent);

        var delivery = await Delivery(workspaceId, endpointId, lifecycleEvent.EventId).GetAsync();
        Assert.Equal(WebhookDeliveryStatus.Delivered, delivery!.Status);
        Assert.Equal(1, delivery.Attempts);
        Assert.Single(receiver.Received);
    }

    [Fact]
    public async Task Removing_an_endpoint_abandons_its_pending_delivery()
    {
        // Arrange
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.AnswerForAttempt = _ => 503;
        var workspaceId = EventsCluster.NewWorkspaceId();
        var webhooks = Webhooks(workspaceId);
        var endpointId = (await webhooks.AddEndpointAsync(new AddWebhookEndpoint(receiver.BaseUrl, null))).Endpoint!.EndpointId;
        var lifecycleEvent = EventsCluster.NewEvent(workspaceId);
        await cluster.Publisher.PublishAsync(lifecycleEvent);
        await receiver.WaitForAsync(all => all.Count >= 1);

        // Act
        var removed = await webhooks.RemoveEndpointAsync(endpointId);

        // Assert
        Assert.True(removed);
        var delivery = await WaitForStatusAsync(workspaceId, endpointId, lifecycleEvent.EventId, WebhookDeliveryStatus.Abandoned);
        Assert.Equal(WebhookDeliveryErrors.EndpointRemoved, delivery.LastError);
        Assert.True(delivery.Attempts < EventsCluster.MaxAttempts);
    }

    [Fact]
    public async Task After_a_rotation_deliveries_are_signed_with_the_new_secret()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var workspaceId = EventsCluster.NewWorkspaceId();
        var webhooks = Webhooks(workspaceId);
        var first = (await webhooks.AddEndpointAsync(new AddWebhookEndpoint(receiver.BaseUrl, null))).NewSigningSecret;

        var rotated = (await webhooks.RotateSecretAsync(new RotateWebhookSecret())).SigningSecret!;
        receiver.Secret = rotated;
        await cluster.Publisher.PublishAsync(EventsCluster.NewEvent(workspaceId));
        var received = (await receiver.WaitForAsync(all => all.Count == 1)).Single();

        Assert.NotEqual(first, rotated);
        Assert.StartsWith("whsec_", rotated);
        Assert.True(received.SignatureValid);
    }

    [Fact]
    public async Task A_workspace_without_webhooks_accepts_events_without_deliveries()
    {
        var workspaceId = EventsCluster.NewWorkspaceId();

        var matched = await cluster.Client.GetGrain<IWorkspaceWebhookDispatcher>(workspaceId).DispatchAsync(EventsCluster.NewEvent(workspaceId));

        Assert.Equal(0, matched);
    }

    private IWorkspaceWebhooksGrain Webhooks(string workspaceId) => cluster.Client.GetGrain<IWorkspaceWebhooksGrain>(workspaceId);

    private IWebhookDeliveryGrain Delivery(string workspaceId, string endpointId, string eventId) =>
        cluster.Client.GetGrain<IWebhookDeliveryGrain>(WebhookDeliveryKeys.For(workspaceId, endpointId, eventId));

    private async Task<WebhookDeliveryView> WaitForStatusAsync(string workspaceId, string endpointId, string eventId, WebhookDeliveryStatus status)
    {
        var grain = Delivery(workspaceId, endpointId, eventId);
        await Eventually.TrueAsync(async () => (await grain.GetAsync())?.Status == status);
        return (await grain.GetAsync())!;
    }
}
