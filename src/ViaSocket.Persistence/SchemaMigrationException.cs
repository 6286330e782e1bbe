namespace ViaSocket.Persistence;

/// <summary>The database schema cannot be brought up to date safely (for example an applied migration was edited).</summary>
public sealed class SchemaMigrationException(string message, Exception? innerException = null)
    : Exception(message, innerException);
