using ViaSocket.Connections;

namespace ViaSocket.Grains.Connections;

/// <summary>Expiry of a connection whose authorization never completed: denied, failed or abandoned attempts.</summary>
internal sealed partial class ConnectionGrain
{
    public async Task<bool> ExpirePendingAsync(DateTimeOffset endedBefore)
    {
        if (state.RecordExists)
        {
            // An open attempt ends when its state lapses (its callback is refused from then on), a failed one when it failed.
            var endedAt = S.Attempt?.ExpiresAt ?? S.UpdatedAt;
            if (S.Status != ConnectionStatus.Pending || endedAt >= endedBefore)
            {
                // A directory row that still says pending after the connection moved on is a write that failed: mend it.
                if (S.Status != ConnectionStatus.Pending)
                {
                    await directory.UpsertAsync(DirectoryEntry());
                }

                return false;
            }
        }

        // Never authorized, it holds no token to revoke: its state and directory row go (a row without state too).
        await DeleteAsync();
        return true;
    }
}
