using Npgsql;

namespace ViaSocket.Grains.Storage;

/// <summary>Turns a PostgreSQL failure escaping a grain call into a <see cref="StorageUnavailableException"/>.</summary>
internal sealed class StorageFailureCallFilter : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (Exception exception) when (exception is not StorageUnavailableException && StorageFailures.Describe(exception) is { } description)
        {
            throw new StorageUnavailableException(description);
        }
    }
}

public static class StorageFailures
{
    /// <summary>
    /// What a caller may be told when the database failed somewhere in <paramref name="exception"/>'s chain: the
    /// SQLSTATE, never the driver's message (it may quote stored values). Null when the database is not the cause.
    /// </summary>
    public static string? Describe(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case StorageUnavailableException storage:
                    return storage.Message;
                case PostgresException postgres:
                    return $"The database failed (SQLSTATE {postgres.SqlState}); nothing was changed by the failed step.";
                case NpgsqlException:
                    return "The database could not be reached; nothing was changed by the failed step.";
            }
        }

        return null;
    }
}
