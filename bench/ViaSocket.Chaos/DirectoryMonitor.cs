using System.Diagnostics;
using Npgsql;

namespace ViaSocket.Chaos;

/// <summary>
/// One look at the connection directory (the read model every connection grain writes after each change, refreshes
/// included). <see cref="MaxOverdueSeconds"/> is the refresh lag: how long past its scheduled refresh (or retry) time
/// the most overdue active or degraded connection is; <see cref="Expired"/> counts those still holding an expired token.
/// </summary>
internal sealed record DirectorySample(
    double Second,
    int Active,
    int Degraded,
    int ReauthRequired,
    int Revoked,
    int Total,
    double MaxOverdueSeconds,
    int Expired,
    double MaxSecondsPastExpiry)
{
    public bool IsHealthy(int expected) => Active == expected && Total == expected && Degraded == 0 && Expired == 0;
}

/// <summary>Samples the directory once a second for the whole run, from PostgreSQL directly (not through the service under test).</summary>
internal sealed class DirectoryMonitor(string connectionString, string workspaceId, string pluginId)
{
    private const string Query = """
        SELECT
            count(*) FILTER (WHERE status = 'active'),
            count(*) FILTER (WHERE status = 'degraded'),
            count(*) FILTER (WHERE status = 'reauth_required'),
            count(*) FILTER (WHERE status = 'revoked'),
            count(*),
            coalesce(max(extract(epoch FROM clock_timestamp() - next_refresh_at)) FILTER (WHERE status IN ('active', 'degraded')), 0)::float8,
            count(*) FILTER (WHERE status IN ('active', 'degraded') AND expires_at <= clock_timestamp()),
            coalesce(max(extract(epoch FROM clock_timestamp() - expires_at)) FILTER (WHERE status IN ('active', 'degraded') AND expires_at <= clock_timestamp()), 0)::float8
        FROM viasocket_connections
        WHERE workspace_id = @workspace AND plugin_id = @plugin
        """;

    private readonly List<DirectorySample> samples = [];

    public IReadOnlyList<DirectorySample> Samples
    {
        get
        {
            lock (samples)
            {
                return [.. samples];
            }
        }
    }

    /// <summary>Samples every second until cancelled; a failed sample (PostgreSQL busy) is skipped, not fatal.</summary>
    public async Task RunAsync(long runStart, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        do
        {
            try
            {
                var sample = await SampleAsync(Stopwatch.GetElapsedTime(runStart).TotalSeconds, cancellationToken);
                lock (samples)
                {
                    samples.Add(sample);
                }
            }
            catch (NpgsqlException exception)
            {
                Console.Error.WriteLine($"  directory sample skipped: {exception.Message}");
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
        while (await WaitAsync(timer, cancellationToken));
    }

    public async Task<DirectorySample> SampleAsync(double second, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(Query, connection);
        command.Parameters.AddWithValue("workspace", workspaceId);
        command.Parameters.AddWithValue("plugin", pluginId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new DirectorySample(
            second,
            (int)reader.GetInt64(0),
            (int)reader.GetInt64(1),
            (int)reader.GetInt64(2),
            (int)reader.GetInt64(3),
            (int)reader.GetInt64(4),
            reader.GetDouble(5),
            (int)reader.GetInt64(6),
            reader.GetDouble(7));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
