using ViaSocket.Events;

namespace ViaSocket.Grains.Tests.Events;

public sealed class WorkspaceWebhooksGrainTests(EventsCluster cluster) : IClassFixture<EventsCluster>
{
    [Fact]
    public async Task The_signing_secret_is_returned_only_by_the_call_that_created_it()
    {
        var webhooks = Webhooks();

        var first = await webhooks.AddEndpointAsync(new AddWebhookEndpoint("https://hooks.example.com/a", null));
        var second = await webhooks.AddEndpointAsync(new AddWebhookEndpoint("https://hooks.example.com/b", null));

        Assert.NotNull(first.NewSigningSecret);
        Assert.True(first.NewSigningSecret.Length >= 40);
        Assert.Null(second.NewSigningSecret);
    }

    [Fact]
    public async Task Endpoints_are_listed_oldest_first_with_their_filters()
    {
        var webhooks = Webhooks();
        var first = (await webhooks.AddEndpointAsync(new AddWebhookEndpoint("https://hooks.example.com/a", ["revoked", "revoked"]))).Endpoint!;
        var second = (await webhooks.AddEndpointAsync(new AddWebhookEndpoint("https://hooks.example.com/b", null))).Endpoint!;

        var listed = await webhooks.ListEndpointsAsync();

        Assert.Equal([first.EndpointId, second.EndpointId], listed.Select(e => e.EndpointId));
        Assert.Equal(["revoked"], listed[0].Events);
        Assert.Empty(listed[1].Events);
        Assert.Equal("https://hooks.example.com/a", listed[0].Url);
        Assert.True(Identifiers.IsValid(first.EndpointId));
    }

    [Fact]
    public async Task Plain_http_to_a_public_host_is_refused_with_invalid_url()
    {
        var result = await Webhooks().AddEndpointAsync(new AddWebhookEndpoint("http://hooks.example.com/a", null));

        Assert.False(result.Succeeded);
        Assert.Equal(WebhookErrorCodes.InvalidUrl, result.Error!.Code);
        Assert.Null(result.NewSigningSecret);
    }

    [Fact]
    public async Task An_unknown_event_kind_is_refused_with_invalid_events()
    {
        var result = await Webhooks().AddEndpointAsync(new AddWebhookEndpoint("https://hooks.example.com/a", ["token_refreshed"]));

        Assert.Equal(WebhookErrorCodes.InvalidEvents, result.Error!.Code);
    }

    [Fact]
    public async Task An_eleventh_endpoint_is_refused()
    {
        var webhooks = Webhooks();
        for (var i = 0; i < WebhookLimits.MaxEndpoints; i++)
        {
            Assert.True((await webhooks.AddEndpointAsync(new AddWebhookEndpoint($"https://hooks.example.com/{i}", null))).Succeeded);
        }

        var result = await webhooks.AddEndpointAsync(new AddWebhookEndpoint("https://hooks.example.com/one-too-many", null));

        Assert.Equal(WebhookErrorCodes.TooManyEndpoints, result.Error!.Code);
        Assert.Equal(WebhookLimits.MaxEndpoints, (await webhooks.ListEndpointsAsync()).Count);
    }

    [Fact]
    public async Task Removing_an_endpoint_takes_it_out_of_the_list_and_a_second_removal_reports_false()
    {
        var webhooks = Webhooks();
        var endpointId = (await webhooks.AddEndpointAsync(new AddWebhookEndpoint("https://hooks.example.com/a", null))).Endpoint!.EndpointId;

        var removed = await webhooks.RemoveEndpointAsync(endpointId);
        var removedAgain = await webhooks.RemoveEndpointAsync(endpointId);

        Assert.True(removed);
        Assert.False(removedAgain);
        Assert.Empty(await webhooks.ListEndpointsAsync());
    }

    [Fact]
    public async Task Rotating_a_workspace_without_a_secret_creates_one()
    {
        var webhooks = Webhooks();

        var first = (await webhooks.RotateSecretAsync(new RotateWebhookSecret())).SigningSecret;
        var second = (await webhooks.RotateSecretAsync(new RotateWebhookSecret())).SigningSecret;

        Assert.StartsWith("whsec_", first);
        Assert.NotEqual(first, second);
    }

    private IWorkspaceWebhooksGrain Webhooks() => cluster.Client.GetGrain<IWorkspaceWebhooksGrain>(EventsCluster.NewWorkspaceId());
}
