using System.Diagnostics.Metrics;
using ViaSocket.Connections;
using ViaSocket.Grains.Diagnostics;
using ViaSocket.Persistence.Connections;

namespace ViaSocket.Server.Observability;

/// <summary>
/// The observable gauge <c>viasocket.connections</c>: connections per status, counted in the connection directory.
/// A collection reads a snapshot; the directory is queried again only once the snapshot is older than
/// <see cref="MaxAge"/>, so a burst of scrapes (several exporters, several replicas of Prometheus) costs one query.
/// </summary>
internal sealed partial class ConnectionStatusGauge
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(15);

    // The very first collection waits this long for its count, so a fresh process reports at once; later ones never wait.
    private static readonly TimeSpan FirstCountWait = TimeSpan.FromSeconds(2);

    private static readonly IReadOnlyList<ConnectionStatus> Statuses = Enum.GetValues<ConnectionStatus>();

    private readonly ConnectionDirectory directory;
    private readonly TimeProvider time;
    private readonly ILogger<ConnectionStatusGauge> logger;
    private readonly Lock gate = new();
    private IReadOnlyDictionary<string, long>? counts;
    private DateTimeOffset? lastAttemptAt;
    private Task? counting;

    public ConnectionStatusGauge(ViaSocketMetrics metrics, ConnectionDirectory directory, TimeProvider time, ILogger<ConnectionStatusGauge> logger)
    {
        (this.directory, this.time, this.logger) = (directory, time, logger);
        metrics.Meter.CreateObservableGauge(
            ViaSocketMetrics.Names.Connections, Observe, "{connection}", "Connections by status, counted in the connection directory at most every 15 s.");
    }

    private IEnumerable<Measurement<long>> Observe()
    {
        Task? started = null;
        lock (gate)
        {
            if (counting is null && (lastAttemptAt is not { } last || time.GetUtcNow() - last >= MaxAge))
            {
                lastAttemptAt = time.GetUtcNow();

                // On the thread pool, so the count never completes inside this lock.
                counting = started = Task.Run(CountAsync);
            }
        }

        if (started is not null && Volatile.Read(ref counts) is null)
        {
            started.Wait(FirstCountWait);
        }

        return Volatile.Read(ref counts) is { } snapshot
            ? Statuses.Select(status =>
            {
                var name = status.ToWireName();
                return new Measurement<long>(snapshot.GetValueOrDefault(name), new KeyValuePair<string, object?>(ViaSocketMetrics.Tags.Status, name));
            }).ToList()
            : [];
    }

    private async Task CountAsync()
    {
        try
        {
            Volatile.Write(ref counts, await directory.CountByStatusAsync());
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // No data is better than stale data: the gauge goes silent until the directory answers again.
            Volatile.Write(ref counts, null);
            LogCountFailed(logger, exception.GetType().Name);
        }
        finally
        {
            lock (gate)
            {
                counting = null;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Counting connections by status failed ({ErrorType}); the gauge reports nothing until it succeeds")]
    private static partial void LogCountFailed(ILogger logger, string errorType);
}
