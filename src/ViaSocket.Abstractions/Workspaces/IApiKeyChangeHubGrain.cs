using Orleans.Concurrency;

namespace ViaSocket.Workspaces;

/// <summary>
/// Tells every front-end of the cluster (silos and front-end-only clients) that an API key changed, so that each drops
/// its cached verification of that key at once instead of trusting it until the cache entry expires. One activation
/// (key 0) holds the subscribers in memory; they subscribe again periodically, which also rebuilds the list after the
/// hub moved to another silo.
/// </summary>
public interface IApiKeyChangeHubGrain : IGrainWithIntegerKey
{
    /// <summary>Adds or renews <paramref name="observer"/>; a subscriber that stops renewing is dropped after a while.</summary>
    Task SubscribeAsync(IApiKeyChangeObserver observer);

    /// <summary>Sends <paramref name="keyId"/> to every current subscriber without waiting for them.</summary>
    Task PublishAsync(string keyId);
}

/// <summary>A front-end's verification cache, told that a key was revoked.</summary>
public interface IApiKeyChangeObserver : IGrainObserver
{
    [OneWay]
    Task KeyChangedAsync(string keyId);
}
