using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ViaSocket.Blocks.Http;
using ViaSocket.Events;
using ViaSocket.Grains.Diagnostics;

namespace ViaSocket.Grains.Events;

/// <summary>
/// Delivers one event to one endpoint, at least once. The pending delivery is persisted before the first attempt; a
/// grain timer runs the next attempt while the grain is active, and a reminder due at the same time is the durable
/// trigger that survives deactivation and silo restarts. Non-reentrant: attempts never overlap.
/// </summary>
internal sealed partial class WebhookDeliveryGrain(
    [PersistentState(StorageNames.WebhookDeliveryState, StorageNames.Default)] IPersistentState<WebhookDeliveryState> state,
    OutboundHttpClient http,
    IOptions<WebhookDeliveryOptions> options,
    TimeProvider time,
    ILogger<WebhookDeliveryGrain> logger,
    ViaSocketMetrics metrics) : Grain, IWebhookDeliveryGrain, IRemindable
{
    private const string ReminderName = "webhook-delivery";

    // A trigger may fire a hair before the attempt time it was armed for; that still counts as due.
    private static readonly TimeSpan DueTolerance = TimeSpan.FromMilliseconds(50);

    private IGrainTimer? attemptTimer;

    private WebhookDeliveryState S => state.State;

    private WebhookDeliveryOptions Settings => options.Value;

    public async Task EnqueueAsync(WebhookDelivery delivery)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        if (WebhookDeliveryKeys.For(delivery.WorkspaceId, delivery.EndpointId, delivery.Event.EventId) != this.GetPrimaryKeyString())
        {
            throw new ArgumentException("The delivery does not match this grain's key.", nameof(delivery));
        }

        if (state.RecordExists)
        {
            return;
        }

        var now = time.GetUtcNow();
        state.State = new WebhookDeliveryState
        {
            WorkspaceId = delivery.WorkspaceId,
            EndpointId = delivery.EndpointId,
            Event = delivery.Event,
            Status = WebhookDeliveryStatus.Pending,
            CreatedAt = now,
            NextAttemptAt = now,
        };
        await state.WriteStateAsync();
        await ScheduleAsync(TimeSpan.Zero);
    }

    public Task<WebhookDeliveryView?> GetAsync() => Task.FromResult(state.RecordExists
        ? new WebhookDeliveryView(
            S.WorkspaceId, S.EndpointId, S.Event!.EventId, S.Status, S.Attempts, S.CreatedAt, S.NextAttemptAt, S.CompletedAt, S.LastStatusCode, S.LastError)
        : null);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ReminderName)
        {
            return;
        }

        if (!state.RecordExists || S.Status != WebhookDeliveryStatus.Pending)
        {
            await UnregisterReminderAsync();
            return;
        }

        await AttemptIfDueAsync();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        attemptTimer?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Arms the triggers for an attempt after <paramref name="delay"/>: the timer exactly then, the reminder then or
    /// one reminder period from now, whichever is later, so short retries are not doubled by reminder ticks.
    /// </summary>
    private async Task ScheduleAsync(TimeSpan delay)
    {
        await this.RegisterOrUpdateReminder(ReminderName, delay > Settings.ReminderPeriod ? delay : Settings.ReminderPeriod, Settings.ReminderPeriod);
        attemptTimer?.Dispose();
        attemptTimer = this.RegisterGrainTimer(_ => AttemptIfDueAsync(), new GrainTimerCreationOptions(delay, Timeout.InfiniteTimeSpan));
    }

    /// <summary>Runs the attempt when one is pending and its time has come; a trigger that fires late or twice does nothing more.</summary>
    private async Task AttemptIfDueAsync()
    {
        if (!state.RecordExists || S.Status != WebhookDeliveryStatus.Pending || S.NextAttemptAt is not { } dueAt || time.GetUtcNow() + DueTolerance < dueAt)
        {
            return;
        }

        var body = WebhookPayload.Serialize(S.Event!);
        var signed = await GrainFactory.GetGrain<IWorkspaceWebhookDispatcher>(S.WorkspaceId).SignAsync(S.EndpointId, body);
        if (signed is null)
        {
            S.LastError = WebhookDeliveryErrors.EndpointRemoved;
            await CompleteAsync(WebhookDeliveryStatus.Abandoned);
            metrics.WebhookAttempted(ViaSocketMetrics.Outcomes.Abandoned, S.LastError);
            LogAbandoned(logger, S.WorkspaceId, S.EndpointId, S.Event!.EventId);
            return;
        }

        S.Attempts++;
        (S.LastStatusCode, S.LastError) = await SendAsync(signed, body);
        if (S.LastError is null)
        {
            await CompleteAsync(WebhookDeliveryStatus.Delivered);
            metrics.WebhookAttempted(ViaSocketMetrics.Outcomes.Delivered, null);
            LogDelivered(logger, S.WorkspaceId, S.EndpointId, S.Event!.EventId, S.Attempts);
            return;
        }

        if (S.Attempts >= Settings.MaxAttempts)
        {
            await CompleteAsync(WebhookDeliveryStatus.Failed);
            metrics.WebhookAttempted(ViaSocketMetrics.Outcomes.Failed, S.LastError);
            LogGaveUp(logger, S.WorkspaceId, S.EndpointId, S.Event!.EventId, S.Attempts, S.LastError, S.LastStatusCode);
            return;
        }

        var delay = WebhookBackoff.Delay(S.Attempts, Random.Shared.NextDouble(), Settings);
        S.NextAttemptAt = time.GetUtcNow() + delay;
        await state.WriteStateAsync();
        await ScheduleAsync(delay);
        metrics.WebhookAttempted(ViaSocketMetrics.Outcomes.Retrying, S.LastError);
        LogAttemptFailed(logger, S.WorkspaceId, S.EndpointId, S.Event!.EventId, S.Attempts, S.LastError, S.LastStatusCode, delay);
    }

    /// <summary>One POST; returns the status received (if any) and an error code unless it was 2xx.</summary>
    private async Task<(int? StatusCode, string? Error)> SendAsync(SignedWebhookAttempt signed, byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, signed.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(WebhookHeaders.EventId, S.Event!.EventId);
        request.Headers.Add(WebhookHeaders.Timestamp, signed.Timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookHeaders.Signature, signed.Signature);
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("ViaSocket-Webhooks", "1"));
        try
        {
            var response = await http.SendAsync(request, Settings.AttemptTimeout, CancellationToken.None);
            return (response.StatusCode, response.IsSuccessStatusCode ? null : WebhookDeliveryErrors.HttpStatus);
        }
        catch (OutboundRequestException failure)
        {
            return (null, failure.Kind switch
            {
                OutboundFailureKind.Timeout => WebhookDeliveryErrors.Timeout,
                OutboundFailureKind.AddressRefused => WebhookDeliveryErrors.AddressRefused,
                OutboundFailureKind.ResponseTooLarge => WebhookDeliveryErrors.ResponseTooLarge,
                _ => WebhookDeliveryErrors.Network,
            });
        }
    }

    private async Task CompleteAsync(WebhookDeliveryStatus status)
    {
        S.Status = status;
        S.CompletedAt = time.GetUtcNow();
        S.NextAttemptAt = null;
        await state.WriteStateAsync();
        attemptTimer?.Dispose();
        attemptTimer = null;
        await UnregisterReminderAsync();
    }

    private async Task UnregisterReminderAsync()
    {
        if (await this.GetReminder(ReminderName) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Webhook event {EventId} delivered to endpoint {EndpointId} of workspace {WorkspaceId} on attempt {Attempt}")]
    private static partial void LogDelivered(ILogger logger, string workspaceId, string endpointId, string eventId, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook event {EventId} to endpoint {EndpointId} of workspace {WorkspaceId}: attempt {Attempt} failed ({Error}, status {StatusCode}); retrying in {Delay}")]
    private static partial void LogAttemptFailed(ILogger logger, string workspaceId, string endpointId, string eventId, int attempt, string error, int? statusCode, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook event {EventId} to endpoint {EndpointId} of workspace {WorkspaceId} failed after {Attempts} attempts ({Error}, status {StatusCode}); giving up")]
    private static partial void LogGaveUp(ILogger logger, string workspaceId, string endpointId, string eventId, int attempts, string error, int? statusCode);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook event {EventId} to endpoint {EndpointId} of workspace {WorkspaceId} abandoned: the endpoint was removed")]
    private static partial void LogAbandoned(ILogger logger, string workspaceId, string endpointId, string eventId);
}

[GenerateSerializer]
internal sealed class WebhookDeliveryState
{
    [Id(0)] public string WorkspaceId { get; set; } = "";
    [Id(1)] public string EndpointId { get; set; } = "";
    [Id(2)] public ConnectionLifecycleEvent? Event { get; set; }
    [Id(3)] public WebhookDeliveryStatus Status { get; set; }
    [Id(4)] public int Attempts { get; set; }
    [Id(5)] public DateTimeOffset CreatedAt { get; set; }
    [Id(6)] public DateTimeOffset? NextAttemptAt { get; set; }
    [Id(7)] public DateTimeOffset? CompletedAt { get; set; }
    [Id(8)] public int? LastStatusCode { get; set; }
    [Id(9)] public string? LastError { get; set; }
}
