using Orleans.Concurrency;

namespace ViaSocket.LoadTests;

/// <summary>The cheapest grain call: the baseline for <see cref="ViaSocket.Connections.IConnectionGrain.GetCredentialsAsync"/>.</summary>
public interface IBaselineGrain : IGrainWithStringKey
{
    /// <summary>Returns a constant; read-only like the credentials read, so both interleave the same way.</summary>
    [ReadOnly]
    Task<int> PingAsync();
}

/// <summary>Activated under the same keys as the connections, so both runs address the same number of activations.</summary>
public sealed class BaselineGrain : Grain, IBaselineGrain
{
    private const int Answer = 42;

    public Task<int> PingAsync() => Task.FromResult(Answer);
}
