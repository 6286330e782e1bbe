namespace ViaSocket.Persistence.Embedded;

/// <summary>How to run a local PostgreSQL owned by this process.</summary>
public sealed class EmbeddedPostgresOptions
{
    /// <summary>The instance folder: <c>data/</c> (the cluster), the superuser password file, the pgpass file, the chosen port and the server log.</summary>
    /// <value>Required. Reused across starts, so data written before a restart is still there.</value>
    public required string DataDirectory { get; init; }

    /// <summary>A database created (if missing) at start; <see cref="EmbeddedPostgres.ConnectionString"/> points at it.</summary>
    /// <value>The default value is <c>viasocket</c>. <see langword="null"/> creates none and points at the <c>postgres</c> database.</value>
    public string? DatabaseName { get; init; } = "viasocket";

    /// <summary>Whether the server flushes writes to disk. Off only for throwaway test instances.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool Fsync { get; init; } = true;

    /// <summary>The OS account that runs PostgreSQL when this process is root (initdb and postgres refuse to run as root).</summary>
    /// <value>The default value is <c>postgres</c>, the account Debian's package creates.</value>
    public string ServiceUser { get; init; } = "postgres";

    /// <summary>Whether stopping the server also deletes <see cref="DataDirectory"/> (throwaway test instances).</summary>
    /// <value>The default value is <see langword="false"/>.</value>
    public bool DeleteDataDirectoryOnStop { get; init; }

    /// <summary>PostgreSQL's <c>max_connections</c>: every process of the service holds a few connection pools.</summary>
    /// <value>The default value is 200.</value>
    public int MaxConnections { get; init; } = 200;

    /// <summary>How long to wait for the server to accept connections.</summary>
    /// <value>The default value is 60 seconds.</value>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// A throwaway instance for tests: no database created up front, no fsync, deleted when stopped, and room for the
    /// many service hosts test classes run side by side.
    /// </summary>
    public static EmbeddedPostgresOptions ForTests(string dataDirectory) =>
        new() { DataDirectory = dataDirectory, DatabaseName = null, Fsync = false, DeleteDataDirectoryOnStop = true, MaxConnections = 500 };
}
