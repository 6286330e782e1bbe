using ViaSocket.Workspaces;

namespace ViaSocket.Grains.Workspaces;

/// <summary>
/// A UI session's record lives as long as the session: deleted at sign-out or when found expired, and otherwise by
/// <see cref="ExpiredUiSessionPurger"/> (a session nobody signs out of is never asked about again).
/// </summary>
internal sealed class UiSessionGrain(
    [PersistentState(StorageNames.UiSessionState, StorageNames.Default)] IPersistentState<UiSessionState> state,
    TimeProvider time) : Grain, IUiSessionGrain
{
    public async Task StartAsync(DateTimeOffset expiresAt)
    {
        state.State = new UiSessionState { ExpiresAt = expiresAt };
        await state.WriteStateAsync();
    }

    public async Task<bool> IsActiveAsync()
    {
        if (state.RecordExists && time.GetUtcNow() >= state.State.ExpiresAt)
        {
            await EndAsync();
        }

        return state.RecordExists;
    }

    public async Task EndAsync()
    {
        if (state.RecordExists)
        {
            await state.ClearStateAsync();
        }

        DeactivateOnIdle();
    }
}

[GenerateSerializer]
internal sealed class UiSessionState
{
    [Id(0)] public DateTimeOffset ExpiresAt { get; set; }
}
