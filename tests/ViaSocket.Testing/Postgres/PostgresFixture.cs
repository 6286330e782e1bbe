using Microsoft.Extensions.Logging.Abstractions;
using ViaSocket.Persistence;
using ViaSocket.Persistence.Embedded;

namespace ViaSocket.Testing.Postgres;

/// <summary>
/// A throwaway PostgreSQL for the whole test run: started on first use in a fresh folder under the temp directory,
/// shared by every test class of the process, stopped and deleted when the process exits. Each caller gets its own
/// database, so test classes do not see each other's rows. Works as root (CI) and as a normal user.
/// Use it directly (<c>new PostgresFixture()</c>) or as an xUnit class/collection fixture.
/// </summary>
public sealed class PostgresFixture
{
    private static readonly Lazy<Task<EmbeddedPostgres>> Server = new(StartAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The shared server, started on first call.</summary>
    public Task<EmbeddedPostgres> GetServerAsync() => Server.Value;

    /// <summary>A new database with every migration applied; returns its connection string (no password inside).</summary>
    public async Task<string> CreateDatabaseAsync(CancellationToken ct = default)
    {
        var connectionString = await CreateEmptyDatabaseAsync(ct);
        await SchemaMigrator.ApplyAsync(connectionString, NullLogger.Instance, ct);
        return connectionString;
    }

    /// <summary>A new database without any schema, for tests of the migrations themselves.</summary>
    public async Task<string> CreateEmptyDatabaseAsync(CancellationToken ct = default)
    {
        var server = await Server.Value;
        var connectionString = await server.CreateDatabaseAsync("test_" + Guid.NewGuid().ToString("N"), ct);

        // Many hosts run side by side, each with a few pools: idle connections go back to the server quickly.
        return new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { ConnectionIdleLifetime = 15, ConnectionPruningInterval = 5 }.ConnectionString;
    }

    /// <summary>A fresh, not yet existing folder under the temp directory for an embedded instance.</summary>
    public static string NewInstanceDirectory() =>
        Path.Combine(Path.GetTempPath(), $"{InstancePrefix}{Environment.ProcessId}-{Guid.NewGuid():N}");

    private const string InstancePrefix = "viasocket-pg-test-";

    private static Task<EmbeddedPostgres> StartAsync()
    {
        RemoveInstancesOfEndedRuns();
        // The server stops itself (and deletes its folder) at process exit.
        return EmbeddedPostgres.StartAsync(EmbeddedPostgresOptions.ForTests(NewInstanceDirectory()), NullLogger.Instance, CancellationToken.None);
    }

    /// <summary>
    /// Removes instances of earlier test runs that were killed before they could clean up: a throwaway server whose
    /// test process is gone is stopped (its data is disposable), then its folder is deleted.
    /// </summary>
    private static void RemoveInstancesOfEndedRuns()
    {
        foreach (var directory in Directory.EnumerateDirectories(Path.GetTempPath(), InstancePrefix + "*"))
        {
            var owner = Path.GetFileName(directory)[InstancePrefix.Length..].Split('-')[0];
            var ownerEnded = int.TryParse(owner, out var pid) && !Directory.Exists($"/proc/{pid}");
            if (ownerEnded)
            {
                StopOrphanedServer(Path.Combine(directory, "data", "postmaster.pid"));
                try
                {
                    Directory.Delete(directory, recursive: true);
                }
                catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
                {
                    // Another user's leftovers; not ours to remove.
                }
            }
        }
    }

    private static void StopOrphanedServer(string pidFile)
    {
        try
        {
            if (File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var serverPid))
            {
                using var server = System.Diagnostics.Process.GetProcessById(serverPid);
                server.Kill();
                server.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException or IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            // Already gone, or not ours to stop.
        }
    }
}
