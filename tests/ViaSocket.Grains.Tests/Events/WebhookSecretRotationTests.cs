using ViaSocket.Events;

namespace ViaSocket.Grains.Tests.Events;

/// <summary>
/// A rotation keeps the previous secret signing for an overlap: deliveries carry <c>v1=&lt;new&gt;,v1=&lt;previous&gt;</c>
/// until it ends, then only the new signature. Receivers are real loopback servers that check with their own HMAC.
/// </summary>
public sealed class WebhookSecretRotationTests(RotationCluster cluster) : IClassFixture<RotationCluster>
{
    [Fact]
    public async Task During_the_overlap_both_secrets_verify_a_delivery_and_after_it_only_the_new_one()
    {
        // Arrange: one receiver keeps the old secret, one has switched to the new one.
        await using var staying = await WebhookReceiver.StartAsync();
        await using var switched = await WebhookReceiver.StartAsync();
        var workspaceId = EventsCluster.NewWorkspaceId();
        var webhooks = Webhooks(workspaceId);
        var first = (await webhooks.AddEndpointAsync(new AddWebhookEndpoint(staying.BaseUrl, null))).NewSigningSecret;
        await webhooks.AddEndpointAsync(new AddWebhookEndpoint(switched.BaseUrl, null));
        var rotatedAt = cluster.Clock.GetUtcNow();

        // Act
        var rotated = await webhooks.RotateSecretAsync(new RotateWebhookSecret());
        (staying.Secret, switched.Secret) = (first, rotated.SigningSecret);
        await cluster.Publisher.PublishAsync(EventsCluster.NewEvent(workspaceId));
        var duringOverlap = ((await staying.WaitForAsync(all => all.Count == 1)).Single(), (await switched.WaitForAsync(all => all.Count == 1)).Single());
        cluster.Clock.Advance(RotationCluster.DefaultOverlap + TimeSpan.FromSeconds(1));
        await cluster.Publisher.PublishAsync(EventsCluster.NewEvent(workspaceId));
        var afterOverlap = ((await staying.WaitForAsync(all => all.Count == 2))[1], (await switched.WaitForAsync(all => all.Count == 2))[1]);

        // Assert
        Assert.Equal(rotatedAt + RotationCluster.DefaultOverlap, rotated.PreviousSecretValidUntil);
        Assert.True(duringOverlap.Item1.SignatureValid, "the previous secret verifies during the overlap");
        Assert.True(duringOverlap.Item2.SignatureValid, "the new secret verifies during the overlap");
        Assert.Matches("^v1=[0-9a-f]{64},v1=[0-9a-f]{64}$", duringOverlap.Item1.SignatureHeader);
        Assert.False(afterOverlap.Item1.SignatureValid, "the previous secret no longer verifies after the overlap");
        Assert.True(afterOverlap.Item2.SignatureValid);
        Assert.Matches("^v1=[0-9a-f]{64}$", afterOverlap.Item2.SignatureHeader);
    }

    [Fact]
    public async Task A_rotation_without_overlap_signs_with_the_new_secret_only_at_once()
    {
        await using var staying = await WebhookReceiver.StartAsync();
        var workspaceId = EventsCluster.NewWorkspaceId();
        var webhooks = Webhooks(workspaceId);
        staying.Secret = (await webhooks.AddEndpointAsync(new AddWebhookEndpoint(staying.BaseUrl, null))).NewSigningSecret;

        var rotated = await webhooks.RotateSecretAsync(new RotateWebhookSecret(TimeSpan.Zero));
        await cluster.Publisher.PublishAsync(EventsCluster.NewEvent(workspaceId));
        var received = (await staying.WaitForAsync(all => all.Count == 1)).Single();

        Assert.Null(rotated.PreviousSecretValidUntil);
        Assert.False(received.SignatureValid);
        Assert.Matches("^v1=[0-9a-f]{64}$", received.SignatureHeader);
    }

    [Fact]
    public async Task A_rotation_within_the_overlap_of_another_drops_the_oldest_secret()
    {
        await using var oldest = await WebhookReceiver.StartAsync();
        var workspaceId = EventsCluster.NewWorkspaceId();
        var webhooks = Webhooks(workspaceId);
        oldest.Secret = (await webhooks.AddEndpointAsync(new AddWebhookEndpoint(oldest.BaseUrl, null))).NewSigningSecret;

        await webhooks.RotateSecretAsync(new RotateWebhookSecret());
        await webhooks.RotateSecretAsync(new RotateWebhookSecret());
        await cluster.Publisher.PublishAsync(EventsCluster.NewEvent(workspaceId));
        var received = (await oldest.WaitForAsync(all => all.Count == 1)).Single();

        Assert.False(received.SignatureValid);
        Assert.Equal(2, received.SignatureHeader.Split(',').Length);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(7 * 24 * 60 + 1)]
    public async Task An_overlap_below_zero_or_beyond_seven_days_is_refused_and_the_secret_kept(int minutes)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var workspaceId = EventsCluster.NewWorkspaceId();
        var webhooks = Webhooks(workspaceId);
        receiver.Secret = (await webhooks.AddEndpointAsync(new AddWebhookEndpoint(receiver.BaseUrl, null))).NewSigningSecret;

        var refused = await webhooks.RotateSecretAsync(new RotateWebhookSecret(TimeSpan.FromMinutes(minutes)));
        await cluster.Publisher.PublishAsync(EventsCluster.NewEvent(workspaceId));
        var received = (await receiver.WaitForAsync(all => all.Count == 1)).Single();

        Assert.Equal(WebhookErrorCodes.InvalidOverlap, refused.Error?.Code);
        Assert.Null(refused.SigningSecret);
        Assert.True(received.SignatureValid);
    }

    private IWorkspaceWebhooksGrain Webhooks(string workspaceId) => cluster.Client.GetGrain<IWorkspaceWebhooksGrain>(workspaceId);
}
