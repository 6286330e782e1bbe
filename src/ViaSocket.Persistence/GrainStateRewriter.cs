using Npgsql;

namespace ViaSocket.Persistence;

/// <summary>
/// Rewrites grain state payloads in place, row by row, for maintenance such as re-wrapping encryption keys. Each row is
/// updated only if its payload is still the one that was read, so a concurrent grain write always wins.
/// </summary>
public static class GrainStateRewriter
{
    /// <param name="rewrite">Given the payload text and the row's version (the Orleans ETag, which a rewrite leaves as
    /// it is), returns the new payload text, or null to leave the row as it is.</param>
    /// <returns>How many rows were read and how many were rewritten.</returns>
    public static async Task<(int Read, int Rewritten)> RewriteAsync(
        NpgsqlDataSource dataSource, string serviceId, Func<string, long, string?> rewrite, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(rewrite);
        var rows = new List<(string StateName, long N0, long N1, string? Extension, byte[] Payload, long Version)>();
        await using (var select = dataSource.CreateCommand(
            "SELECT state_name, grain_id_n0, grain_id_n1, grain_id_extension, payload, version FROM orleans_storage WHERE service_id = @service AND payload IS NOT NULL"))
        {
            select.Parameters.AddWithValue("service", serviceId);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add((reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetFieldValue<byte[]>(4), reader.GetInt32(5)));
            }
        }

        var rewritten = 0;
        foreach (var row in rows)
        {
            var current = System.Text.Encoding.UTF8.GetString(row.Payload);
            if (rewrite(current, row.Version) is not { } replacement)
            {
                continue;
            }

            await using var update = dataSource.CreateCommand("""
                UPDATE orleans_storage SET payload = @replacement
                WHERE service_id = @service AND state_name = @state AND grain_id_n0 = @n0 AND grain_id_n1 = @n1
                  AND grain_id_extension IS NOT DISTINCT FROM @extension AND payload = @current
                """);
            update.Parameters.AddWithValue("replacement", System.Text.Encoding.UTF8.GetBytes(replacement));
            update.Parameters.AddWithValue("service", serviceId);
            update.Parameters.AddWithValue("state", row.StateName);
            update.Parameters.AddWithValue("n0", row.N0);
            update.Parameters.AddWithValue("n1", row.N1);
            update.Parameters.Add(new NpgsqlParameter("extension", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)row.Extension ?? DBNull.Value });
            update.Parameters.AddWithValue("current", row.Payload);
            rewritten += await update.ExecuteNonQueryAsync(cancellationToken);
        }

        return (rows.Count, rewritten);
    }
}
