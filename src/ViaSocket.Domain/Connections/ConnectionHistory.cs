namespace ViaSocket.Domain.Connections;

/// <summary>A connection's history: its recent entries, oldest first, bounded and without runs of routine copies.</summary>
public static class ConnectionHistory
{
    /// <summary>How many entries a connection keeps.</summary>
    public const int MaxEntries = 20;

    /// <summary>Appends <paramref name="entry"/> to <paramref name="history"/>, dropping the oldest entries beyond <see cref="MaxEntries"/>.</summary>
    /// <param name="kindOf">The kind of an entry.</param>
    /// <param name="routine">
    /// The entry is of a routine kind: a run of those keeps only its latest, since hourly refreshes would otherwise fill
    /// the history with copies, pushing out the changes worth seeing and costing every idle activation memory.
    /// </param>
    public static void Record<TEntry>(List<TEntry> history, TEntry entry, Func<TEntry, string> kindOf, bool routine)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(kindOf);
        if (routine && history.Count > 0 && kindOf(history[^1]) == kindOf(entry))
        {
            history[^1] = entry;
            return;
        }

        history.Add(entry);
        if (history.Count > MaxEntries)
        {
            history.RemoveRange(0, history.Count - MaxEntries);
        }
    }
}
