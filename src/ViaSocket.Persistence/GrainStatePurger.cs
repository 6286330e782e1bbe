using Npgsql;

namespace ViaSocket.Persistence;

/// <summary>Deletes grain state rows of one kind that nobody has written for a long time.</summary>
public sealed class GrainStatePurger(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Deletes the <paramref name="stateName"/> rows last written before <paramref name="modifiedBefore"/>, in batches
    /// so no single statement holds many row locks.
    /// </summary>
    /// <returns>How many rows were deleted.</returns>
    public async Task<int> PurgeAsync(string serviceId, string stateName, DateTimeOffset modifiedBefore, int batchSize, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var total = 0;
        int deleted;
        do
        {
            await using var command = dataSource.CreateCommand("""
                DELETE FROM orleans_storage WHERE ctid IN (
                    SELECT ctid FROM orleans_storage
                    WHERE service_id = @service AND state_name = @state AND modified_at < @before
                    LIMIT @batch)
                """);
            command.Parameters.AddWithValue("service", serviceId);
            command.Parameters.AddWithValue("state", stateName);
            command.Parameters.AddWithValue("before", modifiedBefore);
            command.Parameters.AddWithValue("batch", batchSize);
            deleted = await command.ExecuteNonQueryAsync(cancellationToken);
            total += deleted;
        }
        while (deleted == batchSize);

        return total;
    }
}
