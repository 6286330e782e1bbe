using Npgsql;
using NpgsqlTypes;

namespace ViaSocket.Persistence.Connections;

/// <summary>One connection as the directory indexes it: no token material.</summary>
public sealed record ConnectionDirectoryEntry(
    string WorkspaceId,
    string ConnectionId,
    string OwnerId,
    string PluginId,
    string VersionId,
    string Status,
    string? Label,
    string? IdentifierHash,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? LastRefreshedAt,
    string? LastErrorCode,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? NextRefreshAt = null);

/// <summary>
/// Which connections to list; null members do not filter. Without a status, pending connections (attempts that never
/// completed) are left out unless <paramref name="IncludePending"/> is set.
/// </summary>
public sealed record ConnectionQuery(
    string WorkspaceId, string? OwnerId = null, string? PluginId = null, string? Status = null, string? After = null, int Limit = 100, bool IncludePending = false);

/// <summary>
/// The connection read model in PostgreSQL (<c>viasocket_connections</c>): listing, and the atomic claim of a
/// provider account's unique identifier by one connection per owner and plugin.
/// </summary>
public sealed class ConnectionDirectory(NpgsqlDataSource dataSource)
{
    public const int MaxLimit = 500;

    /// <summary>Inserts or replaces the entry of one connection.</summary>
    public async Task UpsertAsync(ConnectionDirectoryEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        const string sql = """
            INSERT INTO viasocket_connections
                (workspace_id, connection_id, owner_id, plugin_id, version_id, status, label, identifier_hash,
                 expires_at, last_refreshed_at, last_error_code, created_at, updated_at, next_refresh_at)
            VALUES (@workspace, @connection, @owner, @plugin, @version, @status, @label, @identifier,
                    @expires, @refreshed, @error, @created, @updated, @next_refresh)
            ON CONFLICT (workspace_id, connection_id) DO UPDATE SET
                owner_id = excluded.owner_id, plugin_id = excluded.plugin_id, version_id = excluded.version_id,
                status = excluded.status, label = excluded.label, identifier_hash = excluded.identifier_hash,
                expires_at = excluded.expires_at, last_refreshed_at = excluded.last_refreshed_at,
                last_error_code = excluded.last_error_code, updated_at = excluded.updated_at,
                next_refresh_at = excluded.next_refresh_at
            """;
        await using var command = dataSource.CreateCommand(sql);
        AddEntryParameters(command, entry);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Claims the entry's identifier hash for its connection. Returns the id of the connection that holds it
    /// afterwards: <paramref name="entry"/>'s own id when the claim succeeded, another id when that one already holds it.
    /// </summary>
    public async Task<string> ClaimIdentifierAsync(ConnectionDirectoryEntry entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentException.ThrowIfNullOrEmpty(entry.IdentifierHash);
        const string findSql = """
            SELECT connection_id FROM viasocket_connections
            WHERE workspace_id = @workspace AND owner_id = @owner AND plugin_id = @plugin AND identifier_hash = @identifier
            """;
        for (var attempt = 0; ; attempt++)
        {
            await using (var find = dataSource.CreateCommand(findSql))
            {
                AddEntryParameters(find, entry);
                if (await find.ExecuteScalarAsync(cancellationToken) is string holder)
                {
                    return holder;
                }
            }

            try
            {
                await UpsertAsync(entry, cancellationToken);
                return entry.ConnectionId;
            }
            catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UniqueViolation && attempt < 3)
            {
                // Another connection claimed the identifier between our read and write: read the winner.
            }
        }
    }

    /// <summary>
    /// Usable connections whose next refresh was due before <paramref name="dueBefore"/>, oldest first: the ones a
    /// missed or late reminder left behind.
    /// </summary>
    public async Task<IReadOnlyList<(string WorkspaceId, string ConnectionId)>> ListOverdueRefreshesAsync(DateTimeOffset dueBefore, int limit, CancellationToken cancellationToken = default)
    {
        const string sql = """
            SELECT workspace_id, connection_id FROM viasocket_connections
            WHERE next_refresh_at < @due AND status IN ('active', 'degraded')
            ORDER BY next_refresh_at
            LIMIT @limit
            """;
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.AddWithValue("due", dueBefore);
        command.Parameters.AddWithValue("limit", limit);
        return await ReadKeysAsync(command, cancellationToken);
    }

    /// <summary>
    /// Pending connections (attempts that never completed) last written before <paramref name="writtenBefore"/>, oldest
    /// first: the candidates for expiry.
    /// </summary>
    public async Task<IReadOnlyList<(string WorkspaceId, string ConnectionId)>> ListPendingAsync(DateTimeOffset writtenBefore, int limit, CancellationToken cancellationToken = default)
    {
        const string sql = """
            SELECT workspace_id, connection_id FROM viasocket_connections
            WHERE status = 'pending' AND updated_at < @before
            ORDER BY updated_at
            LIMIT @limit
            """;
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.AddWithValue("before", writtenBefore);
        command.Parameters.AddWithValue("limit", limit);
        return await ReadKeysAsync(command, cancellationToken);
    }

    /// <summary>
    /// Ids of the degraded connections of one auth version (refreshes failing transiently), ordered by id, after the
    /// <paramref name="after"/> cursor: the ones to retry once the provider answers again.
    /// </summary>
    public async Task<IReadOnlyList<string>> ListDegradedAsync(
        string workspaceId, string pluginId, string versionId, string? after, int limit, CancellationToken cancellationToken = default)
    {
        const string sql = """
            SELECT connection_id FROM viasocket_connections
            WHERE workspace_id = @workspace AND status = 'degraded' AND plugin_id = @plugin AND version_id = @version
              AND (@after::text IS NULL OR connection_id > @after)
            ORDER BY connection_id
            LIMIT @limit
            """;
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.AddWithValue("workspace", workspaceId);
        command.Parameters.AddWithValue("plugin", pluginId);
        command.Parameters.AddWithValue("version", versionId);
        command.Parameters.Add(new NpgsqlParameter("after", NpgsqlDbType.Text) { Value = (object?)after ?? DBNull.Value });
        command.Parameters.AddWithValue("limit", limit);
        var degraded = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            degraded.Add(reader.GetString(0));
        }

        return degraded;
    }

    /// <summary>
    /// Runs <paramref name="work"/> only if no other process holds the same session-level advisory lock, so one silo
    /// of the cluster does a cluster-wide chore at a time. Returns false when another holds it.
    /// </summary>
    public async Task<bool> RunExclusiveAsync(long lockId, Func<CancellationToken, Task> work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var tryLock = new NpgsqlCommand("SELECT pg_try_advisory_lock(@id)", connection))
        {
            tryLock.Parameters.AddWithValue("id", lockId);
            if (await tryLock.ExecuteScalarAsync(cancellationToken) is not true)
            {
                return false;
            }
        }

        try
        {
            await work(cancellationToken);
            return true;
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(@id)", connection);
            unlock.Parameters.AddWithValue("id", lockId);
            await unlock.ExecuteScalarAsync(CancellationToken.None);
        }
    }

    /// <summary>How many connections there are in each status, across every workspace (statuses without any are absent).</summary>
    public async Task<IReadOnlyDictionary<string, long>> CountByStatusAsync(CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT status, count(*) FROM viasocket_connections GROUP BY status");
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            counts[reader.GetString(0)] = reader.GetInt64(1);
        }

        return counts;
    }

    public async Task DeleteAsync(string workspaceId, string connectionId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM viasocket_connections WHERE workspace_id = @workspace AND connection_id = @connection");
        command.Parameters.AddWithValue("workspace", workspaceId);
        command.Parameters.AddWithValue("connection", connectionId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Lists connections ordered by id, after the <see cref="ConnectionQuery.After"/> cursor.</summary>
    public async Task<IReadOnlyList<ConnectionDirectoryEntry>> ListAsync(ConnectionQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        const string sql = """
            SELECT workspace_id, connection_id, owner_id, plugin_id, version_id, status, label, identifier_hash,
                   expires_at, last_refreshed_at, last_error_code, created_at, updated_at
            FROM viasocket_connections
            WHERE workspace_id = @workspace
              AND (@owner::text IS NULL OR owner_id = @owner)
              AND (@plugin::text IS NULL OR plugin_id = @plugin)
              AND (@status::text IS NULL OR status = @status)
              AND (@status::text IS NOT NULL OR @include_pending OR status <> 'pending')
              AND (@after::text IS NULL OR connection_id > @after)
            ORDER BY connection_id
            LIMIT @limit
            """;
        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.AddWithValue("workspace", query.WorkspaceId);
        command.Parameters.Add(new NpgsqlParameter("owner", NpgsqlDbType.Text) { Value = (object?)query.OwnerId ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("plugin", NpgsqlDbType.Text) { Value = (object?)query.PluginId ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("status", NpgsqlDbType.Text) { Value = (object?)query.Status ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("after", NpgsqlDbType.Text) { Value = (object?)query.After ?? DBNull.Value });
        command.Parameters.AddWithValue("include_pending", query.IncludePending);
        command.Parameters.AddWithValue("limit", Math.Clamp(query.Limit, 1, MaxLimit));

        var entries = new List<ConnectionDirectoryEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new ConnectionDirectoryEntry(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetString(3),
                reader.GetString(4),
                reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.IsDBNull(7) ? null : reader.GetString(7),
                reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8),
                reader.IsDBNull(9) ? null : reader.GetFieldValue<DateTimeOffset>(9),
                reader.IsDBNull(10) ? null : reader.GetString(10),
                reader.GetFieldValue<DateTimeOffset>(11),
                reader.GetFieldValue<DateTimeOffset>(12)));
        }

        return entries;
    }

    private static async Task<IReadOnlyList<(string WorkspaceId, string ConnectionId)>> ReadKeysAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var keys = new List<(string, string)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            keys.Add((reader.GetString(0), reader.GetString(1)));
        }

        return keys;
    }

    private static void AddEntryParameters(NpgsqlCommand command, ConnectionDirectoryEntry entry)
    {
        command.Parameters.AddWithValue("workspace", entry.WorkspaceId);
        command.Parameters.AddWithValue("connection", entry.ConnectionId);
        command.Parameters.AddWithValue("owner", entry.OwnerId);
        command.Parameters.AddWithValue("plugin", entry.PluginId);
        command.Parameters.AddWithValue("version", entry.VersionId);
        command.Parameters.AddWithValue("status", entry.Status);
        command.Parameters.Add(new NpgsqlParameter("label", NpgsqlDbType.Text) { Value = (object?)entry.Label ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("identifier", NpgsqlDbType.Text) { Value = (object?)entry.IdentifierHash ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("expires", NpgsqlDbType.TimestampTz) { Value = (object?)entry.ExpiresAt ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("refreshed", NpgsqlDbType.TimestampTz) { Value = (object?)entry.LastRefreshedAt ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("error", NpgsqlDbType.Text) { Value = (object?)entry.LastErrorCode ?? DBNull.Value });
        command.Parameters.AddWithValue("created", entry.CreatedAt);
        command.Parameters.AddWithValue("updated", entry.UpdatedAt);
        command.Parameters.Add(new NpgsqlParameter("next_refresh", NpgsqlDbType.TimestampTz) { Value = (object?)entry.NextRefreshAt ?? DBNull.Value });
    }
}
