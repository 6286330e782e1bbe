using ViaSocket.Domain.Workspaces;
using ViaSocket.Workspaces;

namespace ViaSocket.Grains.Workspaces;

internal sealed class WorkspaceSettingsGrain(
    [PersistentState(StorageNames.WorkspaceSettingsState, StorageNames.Default)] IPersistentState<WorkspaceSettingsState> state,
    TimeProvider time) : Grain, IWorkspaceSettingsGrain
{
    public Task<WorkspaceSettings> GetAsync() => Task.FromResult(View());

    public async Task<UpdateWorkspaceSettingsResult> UpdateAsync(UpdateWorkspaceSettings command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var entries = command.AllowedReturnUrlHosts ?? [];
        if (entries.Count > ReturnUrlHostPatterns.MaxPatterns)
        {
            return Refused(WorkspaceSettingsErrorCodes.TooManyReturnUrlHosts, $"At most {ReturnUrlHostPatterns.MaxPatterns} return URL hosts may be allowed.");
        }

        var hosts = new List<string>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var (pattern, problem) = ReturnUrlHostPatterns.Normalize(entries[i]);
            if (problem is not null)
            {
                // The index, not the value: the entry may be anything a caller sent, and messages are echoed.
                return Refused(WorkspaceSettingsErrorCodes.InvalidReturnUrlHost, $"allowedReturnUrlHosts[{i}] {problem}.");
            }

            if (!hosts.Contains(pattern!, StringComparer.Ordinal))
            {
                hosts.Add(pattern!);
            }
        }

        state.State.AllowedReturnUrlHosts = hosts;
        state.State.UpdatedAt = time.GetUtcNow();
        await state.WriteStateAsync();
        return new UpdateWorkspaceSettingsResult(View(), null);
    }

    private WorkspaceSettings View() => new([.. state.State.AllowedReturnUrlHosts], state.State.UpdatedAt);

    private static UpdateWorkspaceSettingsResult Refused(string code, string message) => new(null, new WorkspaceSettingsError(code, message));
}

[GenerateSerializer]
internal sealed class WorkspaceSettingsState
{
    [Id(0)] public List<string> AllowedReturnUrlHosts { get; set; } = [];
    [Id(1)] public DateTimeOffset? UpdatedAt { get; set; }
}
