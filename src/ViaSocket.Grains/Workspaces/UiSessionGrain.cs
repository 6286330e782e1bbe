using ViaSocket.Workspaces;

namespace ViaSocket.Grains.Workspaces;

internal sealed class UiSessionGrain(
    [PersistentState(StorageNames.UiSessionState, StorageNames.Default)] IPersistentState<UiSessionState> state,
    TimeProvider time) : Grain, IUiSessionGrain
{
    public async Task StartAsync(DateTimeOffset expiresAt)
    {
        state.State = new UiSessionState { ExpiresAt = expiresAt };
        await state.WriteStateAsync();
    }

    public Task<bool> IsActiveAsync() => Task.FromResult(state.RecordExists && time.GetUtcNow() < state.State.ExpiresAt);

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
