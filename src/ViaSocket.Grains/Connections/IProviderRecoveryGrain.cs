using Orleans.Concurrency;

namespace ViaSocket.Grains.Connections;

/// <summary>
/// Tells the degraded connections of one auth version (key: <see cref="GrainKeys.AuthVersion"/>) that its provider
/// answers again, so they retry now instead of waiting out their backoffs.
/// </summary>
public interface IProviderRecoveryGrain : IGrainWithStringKey
{
    /// <summary>A connection of the version refreshed after failing. The caller does not wait for the wake-ups.</summary>
    [OneWay]
    Task ProviderAnsweredAsync();
}
