using ViaSocket.AuthVersions;

namespace ViaSocket.Grains.AuthVersions;

/// <summary>The index of a plugin's versions, so they can be listed without scanning storage.</summary>
internal sealed class PluginGrain(
    [PersistentState(StorageNames.PluginState, StorageNames.Default)] IPersistentState<PluginState> state) : Grain, IPluginGrain
{
    public async Task AddVersionAsync(string versionId)
    {
        if (state.State.Versions.Add(versionId))
        {
            await state.WriteStateAsync();
        }
    }

    public async Task RemoveVersionAsync(string versionId)
    {
        if (state.State.Versions.Remove(versionId))
        {
            await state.WriteStateAsync();
        }
    }

    public Task<IReadOnlyList<string>> ListVersionsAsync() =>
        Task.FromResult<IReadOnlyList<string>>([.. state.State.Versions.Order(StringComparer.Ordinal)]);
}

[GenerateSerializer]
internal sealed class PluginState
{
    [Id(0)] public HashSet<string> Versions { get; set; } = new(StringComparer.Ordinal);
}
