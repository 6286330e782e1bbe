using ViaSocket.Connections;

namespace ViaSocket.Grains.Connections;

/// <summary>
/// One OAuth state. Non-reentrant, and consumption is persisted before it is answered, so of two callbacks with the
/// same state exactly one gets the attempt, even across silos and restarts.
/// </summary>
internal sealed class PendingAuthorizationGrain(
    [PersistentState(StorageNames.PendingAuthorizationState, StorageNames.Default)] IPersistentState<PendingAuthorizationState> state,
    TimeProvider time) : Grain, IPendingAuthorizationGrain
{
    public async Task CreateAsync(PendingAuthorization pending)
    {
        if (state.RecordExists)
        {
            // States carry 256 random bits; a collision means a bug, never something to paper over.
            throw new InvalidOperationException("This authorization state already exists.");
        }

        state.State.Pending = pending;
        await state.WriteStateAsync();
    }

    public async Task<PendingAuthorization?> ConsumeAsync()
    {
        if (!state.RecordExists || state.State.Consumed || state.State.Pending is not { } pending)
        {
            return null;
        }

        state.State.Consumed = true;
        state.State.Pending = null;
        await state.WriteStateAsync();
        DeactivateOnIdle();
        return pending.ExpiresAt > time.GetUtcNow() ? pending : null;
    }
}

[GenerateSerializer]
internal sealed class PendingAuthorizationState
{
    /// <summary>Sensitive (holds the PKCE verifier); dropped once consumed.</summary>
    [Id(0)] public PendingAuthorization? Pending { get; set; }

    /// <summary>Kept after consumption so a replayed state is refused rather than unknown.</summary>
    [Id(1)] public bool Consumed { get; set; }
}
