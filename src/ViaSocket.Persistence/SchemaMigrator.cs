using Microsoft.Extensions.Logging;
using Npgsql;

namespace ViaSocket.Persistence;

/// <summary>
/// Brings a PostgreSQL database up to the schema this build embeds (<c>deploy/postgresql/migrations/*.sql</c>).
/// Every silo calls it at start; a session advisory lock makes silos that start together take turns, and each
/// migration runs in its own transaction together with the row that records it.
/// </summary>
public static class SchemaMigrator
{
    // An arbitrary constant shared by every ViaSocket process: "VIASOCKT" in ASCII.
    private const long AdvisoryLockKey = 0x5649_4153_4F43_4B54;

    private const string CreateHistoryTableSql = """
        CREATE TABLE IF NOT EXISTS viasocket_schema_migrations
        (
            version    integer     NOT NULL PRIMARY KEY,
            name       text        NOT NULL,
            checksum   text        NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        )
        """;

    /// <summary>Applies the embedded migrations that the database has not seen yet, in version order.</summary>
    /// <exception cref="SchemaMigrationException">An applied migration's script changed since it was applied.</exception>
    public static async Task ApplyAsync(string connectionString, ILogger logger, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        ArgumentNullException.ThrowIfNull(logger);

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await ExecuteAsync(connection, $"SELECT pg_advisory_lock({AdvisoryLockKey})", ct);
        try
        {
            await ExecuteAsync(connection, CreateHistoryTableSql, ct);
            var applied = await ReadAppliedAsync(connection, ct);
            var pending = SelectPending(SchemaMigration.Embedded, applied);
            foreach (var migration in pending)
            {
                await ApplyOneAsync(connection, migration, ct);
                logger.MigrationApplied(migration.Version, migration.Name);
            }

            var unknown = applied.Keys.Where(version => SchemaMigration.Embedded.All(migration => migration.Version != version)).ToList();
            if (unknown.Count > 0)
            {
                // A newer build migrated this database; an older silo keeps working during a rolling upgrade.
                logger.UnknownMigrations(string.Join(", ", unknown));
            }

            logger.SchemaCurrent(SchemaMigration.Embedded.Count == 0 ? 0 : SchemaMigration.Embedded[^1].Version, pending.Count);
        }
        finally
        {
            // Unlock explicitly: a pooled connection would otherwise keep the session lock.
            await ExecuteAsync(connection, $"SELECT pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None);
        }
    }

    /// <summary>The migrations still to apply; fails if an applied one no longer matches its script.</summary>
    internal static List<SchemaMigration> SelectPending(
        IReadOnlyList<SchemaMigration> embedded, IReadOnlyDictionary<int, string> appliedChecksums)
    {
        var pending = new List<SchemaMigration>();
        foreach (var migration in embedded)
        {
            if (!appliedChecksums.TryGetValue(migration.Version, out var appliedChecksum))
            {
                pending.Add(migration);
            }
            else if (!string.Equals(appliedChecksum, migration.Checksum, StringComparison.Ordinal))
            {
                throw new SchemaMigrationException(
                    $"Migration {migration.Version:D4}_{migration.Name} was changed after it was applied to this database " +
                    $"(applied checksum {appliedChecksum}, file checksum {migration.Checksum}). Add a new migration instead of editing an applied one.");
            }
        }

        return pending;
    }

    private static async Task<Dictionary<int, string>> ReadAppliedAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("SELECT version, checksum FROM viasocket_schema_migrations", connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var applied = new Dictionary<int, string>();
        while (await reader.ReadAsync(ct))
        {
            applied[reader.GetInt32(0)] = reader.GetString(1);
        }

        return applied;
    }

    private static async Task ApplyOneAsync(NpgsqlConnection connection, SchemaMigration migration, CancellationToken ct)
    {
        await using var transaction = await connection.BeginTransactionAsync(ct);
        try
        {
            await using (var script = new NpgsqlCommand(migration.Script, connection, transaction))
            {
                await script.ExecuteNonQueryAsync(ct);
            }

            await using (var record = new NpgsqlCommand(
                "INSERT INTO viasocket_schema_migrations (version, name, checksum) VALUES (@version, @name, @checksum)",
                connection, transaction))
            {
                record.Parameters.AddWithValue("version", migration.Version);
                record.Parameters.AddWithValue("name", migration.Name);
                record.Parameters.AddWithValue("checksum", migration.Checksum);
                await record.ExecuteNonQueryAsync(ct);
            }

            await transaction.CommitAsync(ct);
        }
        catch (PostgresException exception)
        {
            throw new SchemaMigrationException(
                $"Migration {migration.Version:D4}_{migration.Name} failed: {exception.MessageText}", exception);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }
}
