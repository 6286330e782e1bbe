using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using ViaSocket.Testing.Postgres;

namespace ViaSocket.Persistence.Tests.Postgres;

public sealed class SchemaMigratorTests
{
    private readonly PostgresFixture postgres = new();

    [Fact]
    public async Task A_fresh_database_gets_every_embedded_migration_once()
    {
        var connectionString = await postgres.CreateEmptyDatabaseAsync();

        await SchemaMigrator.ApplyAsync(connectionString, NullLogger.Instance, CancellationToken.None);

        Assert.Equal(SchemaMigration.Embedded.Select(migration => migration.Version), await AppliedVersionsAsync(connectionString));
        Assert.Contains(1, SchemaMigration.Embedded.Select(migration => migration.Version));
    }

    [Fact]
    public async Task Applying_twice_changes_nothing()
    {
        var connectionString = await postgres.CreateEmptyDatabaseAsync();
        await SchemaMigrator.ApplyAsync(connectionString, NullLogger.Instance, CancellationToken.None);
        var firstRun = await HistoryAsync(connectionString);

        await SchemaMigrator.ApplyAsync(connectionString, NullLogger.Instance, CancellationToken.None);

        Assert.Equal(firstRun, await HistoryAsync(connectionString));
    }

    [Fact]
    public async Task Silos_migrating_a_fresh_database_at_the_same_time_all_succeed_and_apply_each_migration_once()
    {
        var connectionString = await postgres.CreateEmptyDatabaseAsync();

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            Task.Run(() => SchemaMigrator.ApplyAsync(connectionString, NullLogger.Instance, CancellationToken.None))));

        Assert.Equal(SchemaMigration.Embedded.Select(migration => migration.Version), await AppliedVersionsAsync(connectionString));
    }

    [Fact]
    public async Task A_migration_changed_after_it_was_applied_stops_the_run_with_its_name()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        await ExecuteAsync(connectionString, "UPDATE viasocket_schema_migrations SET checksum = 'edited' WHERE version = 2");

        var exception = await Assert.ThrowsAsync<SchemaMigrationException>(
            () => SchemaMigrator.ApplyAsync(connectionString, NullLogger.Instance, CancellationToken.None));

        Assert.Contains(SchemaMigration.Embedded.Single(migration => migration.Version == 2).Name, exception.Message);
    }

    [Fact]
    public async Task The_lock_is_released_after_a_failed_run()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        await ExecuteAsync(connectionString, "UPDATE viasocket_schema_migrations SET checksum = 'edited' WHERE version = 2");
        await Assert.ThrowsAsync<SchemaMigrationException>(
            () => SchemaMigrator.ApplyAsync(connectionString, NullLogger.Instance, CancellationToken.None));
        await ExecuteAsync(connectionString,
            $"UPDATE viasocket_schema_migrations SET checksum = '{SchemaMigration.Embedded.Single(migration => migration.Version == 2).Checksum}' WHERE version = 2");

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await SchemaMigrator.ApplyAsync(connectionString, NullLogger.Instance, timeout.Token);
    }

    [Fact]
    public void Only_migrations_missing_from_the_history_are_pending()
    {
        var embedded = new[] { SchemaMigration.FromFile("0001_a.sql", "SELECT 1;"), SchemaMigration.FromFile("0002_b.sql", "SELECT 2;") };
        var applied = new Dictionary<int, string> { [1] = embedded[0].Checksum };

        var pending = SchemaMigrator.SelectPending(embedded, applied);

        Assert.Equal([2], pending.Select(migration => migration.Version));
    }

    [Fact]
    public void A_script_differing_only_in_line_endings_has_the_same_checksum()
    {
        var unix = SchemaMigration.FromFile("0001_a.sql", "SELECT 1;\nSELECT 2;\n");
        var windows = SchemaMigration.FromFile("0001_a.sql", "SELECT 1;\r\nSELECT 2;\r\n");

        Assert.Equal(unix.Checksum, windows.Checksum);
    }

    [Theory]
    [InlineData("1_short.sql")]
    [InlineData("0001-dash.sql")]
    [InlineData("0001_Upper.sql")]
    [InlineData("0001_name.txt")]
    public void A_badly_named_migration_file_is_rejected(string fileName)
    {
        Assert.Throws<SchemaMigrationException>(() => SchemaMigration.FromFile(fileName, "SELECT 1;"));
    }

    private static async Task<List<int>> AppliedVersionsAsync(string connectionString) =>
        (await HistoryAsync(connectionString)).Select(row => row.Version).ToList();

    private static async Task<List<(int Version, string Checksum, DateTime AppliedAt)>> HistoryAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT version, checksum, applied_at FROM viasocket_schema_migrations ORDER BY version", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(int, string, DateTime)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetInt32(0), reader.GetString(1), reader.GetDateTime(2)));
        }

        return rows;
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
