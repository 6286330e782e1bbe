using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans.Storage;

namespace ViaSocket.Persistence.Tests.OrleansProviders;

/// <summary>
/// String-keyed grains share every index column but the key's string part, so a statement that cannot use that
/// column as an index condition reads every row of the state name. These tests count, inside one transaction, the
/// index entries and table rows each storage statement reads while many rows share the prefix.
/// </summary>
[Collection(SiloCollection.Name)]
public sealed class GrainStorageLookupTests(SiloFixture silo)
{
    private const int Neighbours = 400;

    [Fact]
    public async Task Reading_writing_clearing_and_deleting_one_string_keyed_grain_reads_only_that_rows_index_entries()
    {
        var stateName = "lookup-" + Guid.NewGuid().ToString("N");
        var key = "target-" + Guid.NewGuid().ToString("N");
        await using var connection = new NpgsqlConnection(silo.ConnectionString);
        await connection.OpenAsync();
        await ExecuteAsync(connection, """
            INSERT INTO orleans_storage (service_id, state_name, grain_id_n0, grain_id_n1, grain_id_extension, payload, version)
            SELECT @service, @state, 0, 0, 'neighbour-' || n, '\x00'::bytea, 1 FROM generate_series(1, @count) AS n
            UNION ALL SELECT @service, @state, 0, 0, @key, '\x00'::bytea, 1
            """, ("service", SiloFixture.ServiceId), ("state", stateName), ("count", Neighbours), ("key", key));
        await ExecuteAsync(connection, "ANALYZE orleans_storage");
        var read = await ScalarAsync<string>(connection, "SELECT QueryText FROM OrleansQuery WHERE QueryKey = 'ReadFromStorageKey'");

        var statements = new (string Name, string Sql)[]
        {
            ("read", read.Replace("@GrainTypeString", "@state").Replace("@ServiceId", "@service").Replace("@GrainIdN0", "0").Replace("@GrainIdN1", "0").Replace("@GrainIdExtensionString", "@key")),
            ("write", "SELECT orleans_storage_write(@service, @state, 0, 0, @key, 1, '\\x01')"),
            ("clear", "SELECT orleans_storage_clear(@service, @state, 0, 0, @key, 2)"),
            ("delete", "SELECT orleans_storage_delete(@service, @state, 0, 0, @key, 3)"),
        };
        foreach (var (name, sql) in statements)
        {
            var (indexEntries, sequentialRows) = await RowsReadAsync(connection, sql, ("service", SiloFixture.ServiceId), ("state", stateName), ("key", key));

            Assert.True(sequentialRows == 0, $"{name} scanned {sequentialRows} rows sequentially.");
            // Each earlier version of the row may still have its own (dead) index entry until vacuum: at most three here.
            Assert.True(indexEntries <= 3, $"{name} read {indexEntries} index entries to find one row among {Neighbours + 1}.");
        }

        Assert.Equal(0L, await ScalarAsync<long>(connection, "SELECT count(*) FROM orleans_storage WHERE state_name = @state AND grain_id_extension = @key", ("state", stateName), ("key", key)));
        Assert.Equal(Neighbours, await ScalarAsync<long>(connection, "SELECT count(*) FROM orleans_storage WHERE state_name = @state", ("state", stateName)));
    }

    [Fact]
    public async Task Integer_keyed_grains_have_no_string_part_and_still_round_trip()
    {
        var storage = silo.Services.GetRequiredKeyedService<IGrainStorage>(SiloFixture.Storage);
        var grainId = GrainId.Create(GrainType.Create("counter-grain"), GrainIdKeyExtensions.CreateIntegerKey(Random.Shared.NextInt64(1, long.MaxValue)));
        var written = new GrainState<CounterState>(new CounterState { Value = 1 });
        await storage.WriteStateAsync("integer-counter", grainId, written);
        written.State!.Value = 2;
        await storage.WriteStateAsync("integer-counter", grainId, written);

        var read = new GrainState<CounterState>(new CounterState());
        await storage.ReadStateAsync("integer-counter", grainId, read);
        Assert.Equal(2, read.State!.Value);
        Assert.Equal("2", read.ETag);

        await storage.ClearStateAsync("integer-counter", grainId, read);
        var cleared = new GrainState<CounterState>(new CounterState());
        await storage.ReadStateAsync("integer-counter", grainId, cleared);
        Assert.Equal(0, cleared.State!.Value);
        Assert.Equal("3", cleared.ETag);

        var deleting = silo.Services.GetRequiredKeyedService<IGrainStorage>(SiloFixture.DeletingStorage);
        await deleting.ClearStateAsync("integer-counter", grainId, cleared);
        var deleted = new GrainState<CounterState>(new CounterState());
        await storage.ReadStateAsync("integer-counter", grainId, deleted);
        Assert.False(deleted.RecordExists);
    }

    /// <summary>Index entries and sequentially scanned rows of orleans_storage that one statement read.</summary>
    private static async Task<(long IndexEntries, long SequentialRows)> RowsReadAsync(NpgsqlConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        await using var transaction = await connection.BeginTransactionAsync();
        const string counters = """
            SELECT pg_stat_get_xact_tuples_returned('orleans_storage_grain'::regclass), pg_stat_get_xact_tuples_returned('orleans_storage'::regclass)
            """;
        var before = await CountersAsync(connection, counters);
        await ExecuteAsync(connection, sql, parameters);
        var after = await CountersAsync(connection, counters);
        await transaction.CommitAsync();
        return (after.Index - before.Index, after.Table - before.Table);
    }

    private static async Task<(long Index, long Table)> CountersAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(connection, sql, parameters);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, (string Name, object Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }
}
