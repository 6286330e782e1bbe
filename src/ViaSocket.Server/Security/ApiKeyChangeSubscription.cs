using ViaSocket.Workspaces;

namespace ViaSocket.Server.Security;

/// <summary>
/// Subscribes this front-end's verification cache to the cluster's key change hub, and renews the subscription
/// periodically (the hub forgets silent subscribers, and starts empty after it moved to another silo).
/// </summary>
internal sealed partial class ApiKeyChangeSubscription(IGrainFactory grains, ApiKeyVerificationCache cache, ILogger<ApiKeyChangeSubscription> logger)
    : BackgroundService, IApiKeyChangeObserver
{
    /// <summary>How often the subscription is renewed: well within the hub's subscription lifetime.</summary>
    private static readonly TimeSpan RenewalPeriod = TimeSpan.FromSeconds(30);

    /// <summary>How soon a failed subscription is tried again (the cluster may not be reachable yet at start).</summary>
    private static readonly TimeSpan RetryPeriod = TimeSpan.FromSeconds(1);

    public Task KeyChangedAsync(string keyId)
    {
        cache.Forget(keyId);
        return Task.CompletedTask;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reference = grains.CreateObjectReference<IApiKeyChangeObserver>(this);
        var hub = grains.GetGrain<IApiKeyChangeHubGrain>(0);
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                await hub.SubscribeAsync(reference).WaitAsync(stoppingToken);
                wait = RenewalPeriod;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogSubscribeFailed(logger, e);
                wait = RetryPeriod;
            }

            // Real time on purpose: the hub forgets subscribers by its real clock, whatever clock the service runs on.
            try
            {
                await Task.Delay(wait, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not subscribe to API key revocations; revoked keys may be accepted here for up to 30 s until it succeeds")]
    private static partial void LogSubscribeFailed(ILogger logger, Exception exception);
}
