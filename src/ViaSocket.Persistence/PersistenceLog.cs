using Microsoft.Extensions.Logging;

namespace ViaSocket.Persistence;

/// <summary>Log messages of this assembly. None of them carries a password or a connection string.</summary>
internal static partial class PersistenceLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Applied database migration {Version:D4} {Name}")]
    public static partial void MigrationApplied(this ILogger logger, int version, string name);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "The database has migrations this build does not know: {Versions}")]
    public static partial void UnknownMigrations(this ILogger logger, string versions);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Database schema is at version {Version:D4} ({Applied} migrations applied now)")]
    public static partial void SchemaCurrent(this ILogger logger, int version, int applied);

    [LoggerMessage(EventId = 10, Level = LogLevel.Debug, Message = "Embedded PostgreSQL ready in {ElapsedMs} ms: data folder {DataDirectory}, port {Port}, new cluster {Initialized}")]
    public static partial void EmbeddedStarted(this ILogger logger, long elapsedMs, string dataDirectory, int port, bool initialized);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "Embedded PostgreSQL in {DataDirectory} was already running on port {Port}; reusing it")]
    public static partial void EmbeddedAdopted(this ILogger logger, string dataDirectory, int port);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "Port {Port} was taken while PostgreSQL started; picking another")]
    public static partial void EmbeddedPortTaken(this ILogger logger, int port);

    [LoggerMessage(EventId = 13, Level = LogLevel.Information, Message = "Embedded PostgreSQL in {DataDirectory} stopped")]
    public static partial void EmbeddedStopped(this ILogger logger, string dataDirectory);

    [LoggerMessage(EventId = 14, Level = LogLevel.Error, Message = "Embedded PostgreSQL in {DataDirectory} could not be stopped at process exit")]
    public static partial void EmbeddedStopFailed(this ILogger logger, Exception exception, string dataDirectory);
}
