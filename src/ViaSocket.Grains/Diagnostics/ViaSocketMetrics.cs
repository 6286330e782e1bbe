using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ViaSocket.Blocks;
using ViaSocket.Connections;

namespace ViaSocket.Grains.Diagnostics;

/// <summary>
/// The service's own instruments, on the meter <see cref="MeterName"/>. Tags carry only bounded values (statuses,
/// block kinds, outcome and error codes); workspaces, connections and plugins are in traces and logs, never in metric
/// tags, so the series count does not grow with the number of tenants.
/// </summary>
public sealed class ViaSocketMetrics
{
    public const string MeterName = "ViaSocket";

    /// <summary>Instrument names, as exported over OTLP (Prometheus replaces dots by underscores and adds unit suffixes).</summary>
    public static class Names
    {
        public const string Connections = "viasocket.connections";
        public const string StatusChanges = "viasocket.connection.status_changes";
        public const string Refreshes = "viasocket.refreshes";
        public const string RefreshTimeBeforeExpiry = "viasocket.refresh.time_before_expiry";
        public const string RefreshesUnsaved = "viasocket.refresh.unsaved";
        public const string RefreshStoreDuration = "viasocket.refresh.store_duration";
        public const string CredentialRequests = "viasocket.credentials.requests";
        public const string CredentialDuration = "viasocket.credentials.duration";
        public const string BlockRuns = "viasocket.block.runs";
        public const string BlockDuration = "viasocket.block.duration";
        public const string SandboxLimitHits = "viasocket.sandbox.limit_hits";
        public const string WebhookDeliveries = "viasocket.webhook.deliveries";
        public const string GrainCallRetries = "viasocket.frontend.grain_call_retries";
    }

    /// <summary>Tag names shared by the instruments.</summary>
    public static class Tags
    {
        public const string Status = "status";
        public const string FromStatus = "from";
        public const string ToStatus = "to";
        public const string Outcome = "outcome";
        public const string Reason = "reason";
        public const string Trigger = "trigger";
        public const string BlockKind = "block_kind";
        public const string ProviderStatus = "provider_status";
    }

    /// <summary>Values of the <see cref="Tags.Outcome"/> tag.</summary>
    public static class Outcomes
    {
        public const string Ok = "ok";
        public const string TransientFailure = "transient_failure";
        public const string PermanentFailure = "permanent_failure";
        public const string Failed = "failed";
        public const string Delivered = "delivered";
        public const string Retrying = "retrying";
        public const string Abandoned = "abandoned";
    }

    // Refreshes normally run minutes ahead of expiry; the low buckets show the ones that ran late.
    private static readonly double[] TimeBeforeExpiryBuckets = [0, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200];

    // Credential reads are served from the activation in microseconds; a joined refresh takes provider time.
    private static readonly double[] LatencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private readonly Counter<long> statusChanges;
    private readonly Counter<long> refreshes;
    private readonly Histogram<double> refreshTimeBeforeExpiry;
    private readonly UpDownCounter<long> refreshesUnsaved;
    private readonly Histogram<double> refreshStoreDuration;
    private readonly Counter<long> credentialRequests;
    private readonly Histogram<double> credentialDuration;
    private readonly Counter<long> blockRuns;
    private readonly Histogram<double> blockDuration;
    private readonly Counter<long> sandboxLimitHits;
    private readonly Counter<long> webhookDeliveries;
    private readonly Counter<long> grainCallRetries;

    public ViaSocketMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        Meter = meterFactory.Create(MeterName);
        statusChanges = Meter.CreateCounter<long>(Names.StatusChanges, "{change}", "Connection status changes, by the status left and the status entered.");
        refreshes = Meter.CreateCounter<long>(Names.Refreshes, "{refresh}", "Token refreshes run, by outcome and failure reason.");
        refreshTimeBeforeExpiry = Meter.CreateHistogram(
            Names.RefreshTimeBeforeExpiry, "s", "How long before the old token's expiry a refresh succeeded; 0 means at or after expiry.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = TimeBeforeExpiryBuckets });
        refreshesUnsaved = Meter.CreateUpDownCounter<long>(
            Names.RefreshesUnsaved, "{refresh}", "Refreshes sent to the provider whose outcome is not stored yet: a crash of this process now loses the refresh tokens a rotating provider issued for them.");
        refreshStoreDuration = Meter.CreateHistogram(
            Names.RefreshStoreDuration, "s", "Time from the provider's new tokens to their durable store: the part of the unsaved window after the provider answered.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        credentialRequests = Meter.CreateCounter<long>(Names.CredentialRequests, "{request}", "Credential requests of workflow engines (grain calls and HTTP), by outcome.");
        credentialDuration = Meter.CreateHistogram(
            Names.CredentialDuration, "s", "Time to answer a credential request, including a refresh it had to wait for.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        blockRuns = Meter.CreateCounter<long>(Names.BlockRuns, "{run}", "API block runs of connections, by block kind and outcome.");
        blockDuration = Meter.CreateHistogram(
            Names.BlockDuration, "s", "Duration of API block runs, by block kind and outcome.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        sandboxLimitHits = Meter.CreateCounter<long>(Names.SandboxLimitHits, "{run}", "Block runs stopped by a sandbox limit (statements, memory, recursion, time).");
        webhookDeliveries = Meter.CreateCounter<long>(Names.WebhookDeliveries, "{attempt}", "Webhook delivery attempts, by outcome and error.");
        grainCallRetries = Meter.CreateCounter<long>(
            Names.GrainCallRetries, "{retry}", "API requests the front-end retried because a silo was unreachable (outcome retrying), or gave up on (outcome abandoned).");
    }

    /// <summary>The meter the instruments live on; the host adds its observable instruments to it.</summary>
    public Meter Meter { get; }

    public void StatusChanged(ConnectionStatus? from, ConnectionStatus to) =>
        statusChanges.Add(1, new(Tags.FromStatus, from?.ToWireName() ?? "none"), new(Tags.ToStatus, to.ToWireName()));

    /// <param name="timeBeforeExpiry">The old token's expiry minus the time the new one was stored; null when it had no expiry.</param>
    public void RefreshSucceeded(string trigger, TimeSpan? timeBeforeExpiry)
    {
        refreshes.Add(1, new(Tags.Outcome, Outcomes.Ok), new(Tags.Reason, "none"), new(Tags.Trigger, trigger));
        if (timeBeforeExpiry is { } lead)
        {
            refreshTimeBeforeExpiry.Record(Math.Max(0, lead.TotalSeconds), new KeyValuePair<string, object?>(Tags.Trigger, trigger));
        }
    }

    /// <summary>A refresh request is about to go to the provider; from here until <see cref="RefreshSettled"/> it is unsaved.</summary>
    public void RefreshSent() => refreshesUnsaved.Add(1);

    /// <param name="storeDuration">From the provider's new tokens to their store; null when there were none to store, or they were lost.</param>
    public void RefreshSettled(TimeSpan? storeDuration)
    {
        refreshesUnsaved.Add(-1);
        if (storeDuration is { } duration)
        {
            refreshStoreDuration.Record(duration.TotalSeconds);
        }
    }

    /// <param name="reason">A stable error code: the block's failure code, or a connection error code.</param>
    public void RefreshFailed(string trigger, bool transient, string reason, int? providerStatus)
    {
        var tags = new TagList
        {
            { Tags.Outcome, transient ? Outcomes.TransientFailure : Outcomes.PermanentFailure },
            { Tags.Reason, reason },
            { Tags.Trigger, trigger },
        };
        if (providerStatus is { } status)
        {
            tags.Add(Tags.ProviderStatus, status);
        }

        refreshes.Add(1, tags);
    }

    /// <param name="abandoned">True when the retry budget ran out and the request was answered with 503.</param>
    public void GrainCallRetried(bool abandoned) =>
        grainCallRetries.Add(1, new KeyValuePair<string, object?>(Tags.Outcome, abandoned ? Outcomes.Abandoned : Outcomes.Retrying));

    /// <param name="errorCode">Null when credentials were served; otherwise the connection error code.</param>
    public void CredentialsRequested(string? errorCode, TimeSpan duration)
    {
        var outcome = new KeyValuePair<string, object?>(Tags.Outcome, errorCode ?? Outcomes.Ok);
        credentialRequests.Add(1, outcome);
        credentialDuration.Record(duration.TotalSeconds, outcome);
    }

    public void BlockRan(string blockKind, BlockRunResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var tags = new TagList { { Tags.BlockKind, blockKind }, { Tags.Outcome, result.Failure?.Code ?? Outcomes.Ok } };
        blockRuns.Add(1, tags);
        blockDuration.Record(result.Duration.TotalSeconds, tags);
        if (result.Failure is { Kind: BlockFailureKind.LimitExceeded })
        {
            sandboxLimitHits.Add(1, new KeyValuePair<string, object?>(Tags.BlockKind, blockKind));
        }
    }

    /// <param name="outcome">One of <see cref="Outcomes.Delivered"/>, <see cref="Outcomes.Retrying"/>, <see cref="Outcomes.Failed"/>, <see cref="Outcomes.Abandoned"/>.</param>
    /// <param name="error">The delivery error code of a failed attempt; null otherwise.</param>
    public void WebhookAttempted(string outcome, string? error) =>
        webhookDeliveries.Add(1, new(Tags.Outcome, outcome), new(Tags.Reason, error ?? "none"));
}

public static class ViaSocketMetricsServiceCollectionExtensions
{
    /// <summary>Registers <see cref="ViaSocketMetrics"/> (once) and the meter factory it creates its meter with.</summary>
    public static IServiceCollection AddViaSocketMetrics(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton<ViaSocketMetrics>();
        return services;
    }
}
