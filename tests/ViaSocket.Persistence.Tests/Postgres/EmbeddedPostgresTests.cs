using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using ViaSocket.Persistence.Embedded;
using ViaSocket.Testing.Postgres;

namespace ViaSocket.Persistence.Tests.Postgres;

public sealed class EmbeddedPostgresTests : IDisposable
{
    private readonly string dataDirectory = PostgresFixture.NewInstanceDirectory();

    public void Dispose()
    {
        if (Directory.Exists(dataDirectory))
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task Data_written_before_a_stop_is_there_after_the_next_start()
    {
        var options = Options();
        await using (var first = await EmbeddedPostgres.StartAsync(options, NullLogger.Instance, CancellationToken.None))
        {
            await ExecuteAsync(first.ConnectionString, "CREATE TABLE survivor (value text); INSERT INTO survivor VALUES ('kept')");
        }

        await using var second = await EmbeddedPostgres.StartAsync(options, NullLogger.Instance, CancellationToken.None);

        Assert.Equal("kept", await ScalarAsync(second.ConnectionString, "SELECT value FROM survivor"));
    }

    [Fact]
    public async Task Stopping_leaves_no_server_process_behind()
    {
        var server = await EmbeddedPostgres.StartAsync(Options(), NullLogger.Instance, CancellationToken.None);
        var postmaster = PostmasterProcess.FromPidFile(server.ClusterDirectory)!;
        Assert.True(postmaster.IsAlive());

        await server.StopAsync(CancellationToken.None);

        Assert.False(postmaster.IsAlive());
        Assert.False(File.Exists(Path.Combine(server.ClusterDirectory, "postmaster.pid")));
    }

    [Fact]
    public async Task A_server_killed_with_its_pid_file_left_behind_starts_again_with_its_data()
    {
        var options = Options();
        var killed = await EmbeddedPostgres.StartAsync(options, NullLogger.Instance, CancellationToken.None);
        await ExecuteAsync(killed.ConnectionString, "CREATE TABLE survivor (value text); INSERT INTO survivor VALUES ('kept')");
        var postmaster = PostmasterProcess.FromPidFile(killed.ClusterDirectory)!;
        using (var process = Process.GetProcessById(postmaster.Pid))
        {
            process.Kill();
        }

        Assert.True(await postmaster.WaitForExitAsync(TimeSpan.FromSeconds(10), CancellationToken.None));

        NpgsqlConnection.ClearAllPools();
        Assert.True(File.Exists(Path.Combine(killed.ClusterDirectory, "postmaster.pid")));
        await using var restarted = await EmbeddedPostgres.StartAsync(options, NullLogger.Instance, CancellationToken.None);

        Assert.Equal("kept", await ScalarAsync(restarted.ConnectionString, "SELECT value FROM survivor"));
        await killed.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task The_connection_string_carries_no_password_and_the_password_file_is_private()
    {
        await using var server = await EmbeddedPostgres.StartAsync(Options(), NullLogger.Instance, CancellationToken.None);
        var password = File.ReadAllText(Path.Combine(server.DataDirectory, "superuser-password")).Trim();

        Assert.DoesNotContain(password, server.ConnectionString, StringComparison.Ordinal);
        Assert.Null(new NpgsqlConnectionStringBuilder(server.ConnectionString).Password);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(server.DataDirectory, "superuser-password")));
        Assert.Equal("viasocket", await ScalarAsync(server.ConnectionString, "SELECT current_database()"));
    }

    [Fact]
    public async Task Created_databases_are_separate_and_creating_one_twice_is_harmless()
    {
        await using var server = await EmbeddedPostgres.StartAsync(Options(), NullLogger.Instance, CancellationToken.None);

        var first = await server.CreateDatabaseAsync("tenant_one", CancellationToken.None);
        var again = await server.CreateDatabaseAsync("tenant_one", CancellationToken.None);
        var second = await server.CreateDatabaseAsync("tenant_two", CancellationToken.None);

        Assert.Equal(first, again);
        Assert.Equal("tenant_one", await ScalarAsync(first, "SELECT current_database()"));
        Assert.Equal("tenant_two", await ScalarAsync(second, "SELECT current_database()"));
        await Assert.ThrowsAsync<ArgumentException>(() => server.CreateDatabaseAsync("Robert'); DROP", CancellationToken.None));
    }

    private EmbeddedPostgresOptions Options() => new() { DataDirectory = dataDirectory, Fsync = false };

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
