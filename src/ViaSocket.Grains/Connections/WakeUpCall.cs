namespace ViaSocket.Grains.Connections;

/// <summary>One call of a round that wakes many connections (the overdue sweep, the provider-recovery round).</summary>
internal static class WakeUpCall
{
    /// <summary>
    /// Whether the connection answered. Any failure of the call only costs that connection: a call that expired unplaced
    /// on a busy silo throws <see cref="OperationCanceledException"/> too, so only the round's own cancellation ends it.
    /// </summary>
    public static async Task<bool> ReachedAsync(Func<Task> call, CancellationToken cancellationToken)
    {
        try
        {
            await call();
            return true;
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
