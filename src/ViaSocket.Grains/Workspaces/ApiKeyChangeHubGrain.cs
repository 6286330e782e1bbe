using Microsoft.Extensions.Logging;
using Orleans.Utilities;
using ViaSocket.Workspaces;

namespace ViaSocket.Grains.Workspaces;

internal sealed class ApiKeyChangeHubGrain(ILogger<ApiKeyChangeHubGrain> logger) : Grain, IApiKeyChangeHubGrain
{
    /// <summary>
    /// How long a subscriber is kept without renewing: several of its renewal periods, so that one missed renewal
    /// (a busy silo, a reconnecting client) does not drop it.
    /// </summary>
    public static readonly TimeSpan SubscriptionLifetime = TimeSpan.FromSeconds(90);

    private readonly ObserverManager<IApiKeyChangeObserver> subscribers = new(SubscriptionLifetime, logger);

    public Task SubscribeAsync(IApiKeyChangeObserver observer)
    {
        subscribers.Subscribe(observer, observer);
        return Task.CompletedTask;
    }

    public Task PublishAsync(string keyId)
    {
        // One-way calls: a subscriber that went away costs nothing here and expires from the list.
        subscribers.Notify(observer => observer.KeyChangedAsync(keyId));
        return Task.CompletedTask;
    }
}
