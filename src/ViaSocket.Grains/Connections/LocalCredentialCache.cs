using System.Collections.Concurrent;
using ViaSocket.Connections;
using ViaSocket.Domain.Connections;

namespace ViaSocket.Grains.Connections;

/// <summary>
/// Credentials that connection activations on this silo publish for the front-end in the same process, so the hot
/// read path needs no grain call. An entry is the activation's own answer: it is published only while the activation
/// would answer a read with exactly those credentials, withdrawn before any change to the connection is written and
/// when the activation deactivates, and it lapses on its own when a refresh falls due or the token expires. Entries
/// also lapse after <see cref="MaxEntryAge"/>, which bounds what a missed withdrawal (an activation lost without
/// deactivating, a duplicate activation elsewhere during a partition) could ever serve.
/// </summary>
public sealed class LocalCredentialCache(TimeProvider time)
{
    public static readonly TimeSpan MaxEntryAge = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, Entry> entries = new(StringComparer.Ordinal);

    /// <summary>The credentials the activation of <paramref name="connectionKey"/> on this silo currently serves, if any.</summary>
    public bool TryGet(string connectionKey, out ConnectionCredentials credentials)
    {
        if (entries.TryGetValue(connectionKey, out var entry) && time.GetUtcNow() < entry.ValidUntil)
        {
            credentials = entry.Credentials;
            return true;
        }

        credentials = null!;
        return false;
    }

    public int Count => entries.Count;

    /// <returns>When the entry is due for renewal: until then the publisher may answer from its own copy.</returns>
    internal DateTimeOffset Publish(string connectionKey, ConnectionCredentials credentials, DateTimeOffset? refreshDueAt)
    {
        var now = time.GetUtcNow();

        // Engines calling the grain directly read through here on every call: keep a fresh entry instead of replacing it.
        if (entries.TryGetValue(connectionKey, out var current) && ReferenceEquals(current.Credentials, credentials) && now < current.RenewAt)
        {
            return current.RenewAt;
        }

        var validUntil = now + MaxEntryAge;
        foreach (var limit in new[] { refreshDueAt, credentials.ExpiresAt - TokenLifetime.ServingMargin })
        {
            if (limit is { } at && at < validUntil)
            {
                validUntil = at;
            }
        }

        var entry = new Entry(credentials, validUntil);
        entries[connectionKey] = entry;
        return entry.RenewAt;
    }

    internal void Withdraw(string connectionKey) => entries.TryRemove(connectionKey, out _);

    private sealed record Entry(ConnectionCredentials Credentials, DateTimeOffset ValidUntil)
    {
        // Renewed halfway through its age, so a reader that keeps asking never finds it lapsed.
        public DateTimeOffset RenewAt => ValidUntil - (MaxEntryAge / 2);
    }
}
