using Microsoft.Extensions.Logging;
using ViaSocket.Connections;
using ViaSocket.Persistence.Connections;

namespace ViaSocket.Grains.Connections;

/// <summary>
/// Ends the backoffs of one auth version's connections once its provider answers again. During an outage every failing
/// connection backs off further and further (up to <see cref="Domain.Connections.RefreshBackoff.MaxDelay"/>), so without
/// this the unluckiest ones would keep an expired token for a whole backoff after the provider is back. The first
/// connection whose refresh succeeds after failing reports here; this grain asks every degraded connection of the
/// version to retry now. The per-version refresh limit on each silo still paces the calls to the provider.
/// </summary>
internal sealed partial class ProviderRecoveryGrain(ConnectionDirectory directory, TimeProvider time, ILogger<ProviderRecoveryGrain> logger)
    : Grain, IProviderRecoveryGrain
{
    // A recovering provider answers many refreshes in a row and one round of wake-ups covers them all; a flapping one gets
    // at most one round of early retries per interval on top of the connections' own backoffs.
    private static readonly TimeSpan RoundInterval = TimeSpan.FromSeconds(30);

    private const int PageSize = 500;

    private DateTimeOffset? lastRoundAt;
    private IGrainTimer? round;

    public Task ProviderAnsweredAsync()
    {
        var now = time.GetUtcNow();
        if (round is null && (lastRoundAt is not { } last || now - last >= RoundInterval))
        {
            lastRoundAt = now;
            round = this.RegisterGrainTimer(WakeDegradedAsync, new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan) { KeepAlive = true });
        }

        return Task.CompletedTask;
    }

    private async Task WakeDegradedAsync(CancellationToken cancellationToken)
    {
        var key = GrainKeys.Split(this.GetPrimaryKeyString());
        var (workspaceId, pluginId, versionId) = (key[0], key[1], key[2]);
        var (woken, unreachable) = (0, 0);
        try
        {
            string? after = null;
            do
            {
                var page = await directory.ListDegradedAsync(workspaceId, pluginId, versionId, after, PageSize, cancellationToken);
                var answered = await Task.WhenAll(page.Select(connectionId => WakeUpCall.ReachedAsync(
                    GrainFactory.GetGrain<IConnectionGrain>(GrainKeys.Connection(workspaceId, connectionId)).ProviderRecoveredAsync, cancellationToken)));
                woken += answered.Count(ok => ok);
                unreachable += answered.Count(ok => !ok);
                after = page.Count == PageSize ? page[^1] : null;
            }
            while (after is not null);

            LogRound(logger, workspaceId, pluginId, versionId, woken, unreachable);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Best effort: a connection this round does not reach still retries at the end of its own backoff.
            LogRoundFailed(logger, workspaceId, pluginId, versionId, exception.GetType().Name);
        }
        finally
        {
            round?.Dispose();
            round = null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The provider of {WorkspaceId}/{PluginId}/{VersionId} answers again: {Woken} degraded connections asked to retry now, {Unreachable} not reached")]
    private static partial void LogRound(ILogger logger, string workspaceId, string pluginId, string versionId, int woken, int unreachable);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Waking the degraded connections of {WorkspaceId}/{PluginId}/{VersionId} failed ({ErrorType}); they retry when their backoffs end")]
    private static partial void LogRoundFailed(ILogger logger, string workspaceId, string pluginId, string versionId, string errorType);
}
