using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using ViaSocket.Server.Extensions;

namespace ViaSocket.Server.Health;

/// <summary>Ready only when PostgreSQL answers a trivial query.</summary>
internal sealed class PostgresHealthCheck(Database database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = new NpgsqlConnection(database.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception exception) when (exception is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            // The exception text can name the host but never the password (it is not in the connection string).
            return HealthCheckResult.Unhealthy("PostgreSQL is not reachable.", exception);
        }
    }
}
