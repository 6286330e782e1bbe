using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ViaSocket.Events;

namespace ViaSocket.Grains.Events;

/// <summary>
/// The webhooks of one workspace (key: the workspace id): endpoint configuration for the API and, as
/// <see cref="IWorkspaceWebhookDispatcher"/>, the fan-out of events and the signing of attempts.
/// </summary>
internal sealed partial class WorkspaceWebhooksGrain(
    [PersistentState(StorageNames.WorkspaceWebhooksState, StorageNames.Default)] IPersistentState<WorkspaceWebhooksState> state,
    TimeProvider time,
    IOptions<WebhookDeliveryOptions> options,
    ILogger<WorkspaceWebhooksGrain> logger) : Grain, IWorkspaceWebhooksGrain, IWorkspaceWebhookDispatcher
{
    private WorkspaceWebhooksState S => state.State;

    private string WorkspaceId => this.GetPrimaryKeyString();

    public async Task<AddWebhookEndpointResult> AddEndpointAsync(AddWebhookEndpoint command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (WebhookEndpointRules.CheckUrl(command.Url) is { } urlProblem)
        {
            return Refused(WebhookErrorCodes.InvalidUrl, urlProblem);
        }

        var (kinds, eventsProblem) = WebhookEndpointRules.NormalizeEvents(command.Events);
        if (eventsProblem is not null)
        {
            return Refused(WebhookErrorCodes.InvalidEvents, eventsProblem);
        }

        if (S.Endpoints.Count >= WebhookLimits.MaxEndpoints)
        {
            return Refused(WebhookErrorCodes.TooManyEndpoints, $"A workspace may have at most {WebhookLimits.MaxEndpoints} webhook endpoints.");
        }

        var endpoint = new WebhookEndpointState
        {
            EndpointId = "wh_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
            Url = command.Url,
            Events = [.. kinds],
            CreatedAt = time.GetUtcNow(),
        };
        S.Endpoints.Add(endpoint);
        var newSecret = S.SigningSecret is null ? NewSecret() : null;
        await WriteStateAsync();
        LogEndpointAdded(logger, WorkspaceId, endpoint.EndpointId);
        return new AddWebhookEndpointResult(endpoint.ToView(), newSecret, null);
    }

    public async Task<bool> RemoveEndpointAsync(string endpointId)
    {
        if (S.Endpoints.RemoveAll(endpoint => endpoint.EndpointId == endpointId) == 0)
        {
            return false;
        }

        await WriteStateAsync();
        LogEndpointRemoved(logger, WorkspaceId, endpointId);
        return true;
    }

    public Task<IReadOnlyList<WebhookEndpoint>> ListEndpointsAsync() =>
        Task.FromResult<IReadOnlyList<WebhookEndpoint>>([.. S.Endpoints.Select(endpoint => endpoint.ToView())]);

    public async Task<RotateWebhookSecretResult> RotateSecretAsync(RotateWebhookSecret command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var overlap = command.Overlap ?? options.Value.SecretRotationOverlap;
        if (overlap < TimeSpan.Zero || overlap > WebhookLimits.MaxSecretOverlap)
        {
            return new RotateWebhookSecretResult(null, null, new WebhookError(
                WebhookErrorCodes.InvalidOverlap, $"overlap must be between 00:00:00 and {WebhookLimits.MaxSecretOverlap.TotalDays:0} days."));
        }

        (S.PreviousSigningSecret, S.PreviousSecretValidUntil) = S.SigningSecret is { } current && overlap > TimeSpan.Zero
            ? (current, time.GetUtcNow() + overlap)
            : ((string?)null, (DateTimeOffset?)null);
        var secret = NewSecret();
        await WriteStateAsync();
        LogSecretRotated(logger, WorkspaceId, overlap);
        return new RotateWebhookSecretResult(secret, S.PreviousSecretValidUntil, null);
    }

    public async Task<int> DispatchAsync(ConnectionLifecycleEvent lifecycleEvent)
    {
        ArgumentNullException.ThrowIfNull(lifecycleEvent);
        if (lifecycleEvent.WorkspaceId != WorkspaceId)
        {
            throw new ArgumentException("The event belongs to another workspace.", nameof(lifecycleEvent));
        }

        var targets = S.Endpoints.Where(endpoint => endpoint.Events.Count == 0 || endpoint.Events.Contains(lifecycleEvent.Kind)).ToList();
        await Task.WhenAll(targets.Select(endpoint => GrainFactory
            .GetGrain<IWebhookDeliveryGrain>(WebhookDeliveryKeys.For(WorkspaceId, endpoint.EndpointId, lifecycleEvent.EventId))
            .EnqueueAsync(new WebhookDelivery(WorkspaceId, endpoint.EndpointId, lifecycleEvent))));
        return targets.Count;
    }

    public Task<SignedWebhookAttempt?> SignAsync(string endpointId, byte[] body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var endpoint = S.Endpoints.Find(candidate => candidate.EndpointId == endpointId);
        if (endpoint is null || S.SigningSecret is not { } secret)
        {
            return Task.FromResult<SignedWebhookAttempt?>(null);
        }

        var now = time.GetUtcNow();
        var timestamp = now.ToUnixTimeSeconds();
        var signature = WebhookSignature.Compute(secret, PreviousSecretAt(now), timestamp, body);
        return Task.FromResult<SignedWebhookAttempt?>(new SignedWebhookAttempt(endpoint.Url, timestamp, signature));
    }

    /// <summary>The rotated-out secret while its overlap lasts, else null.</summary>
    private string? PreviousSecretAt(DateTimeOffset now) => now < S.PreviousSecretValidUntil ? S.PreviousSigningSecret : null;

    /// <summary>Persists the state; when that fails, reloads it so memory never holds a change that was not stored.</summary>
    private async Task WriteStateAsync()
    {
        // An expired previous secret is dropped with the next change rather than kept at rest.
        if (PreviousSecretAt(time.GetUtcNow()) is null)
        {
            (S.PreviousSigningSecret, S.PreviousSecretValidUntil) = (null, null);
        }

        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            await state.ReadStateAsync();
            throw;
        }
    }

    /// <summary>Sets a new random secret (256 bits, base64url, prefixed so it is recognizable in secret scanners).</summary>
    private string NewSecret()
    {
        var secret = "whsec_" + Base64Url(RandomNumberGenerator.GetBytes(32));
        S.SigningSecret = secret;
        S.SecretCreatedAt = time.GetUtcNow();
        return secret;
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static AddWebhookEndpointResult Refused(string code, string message) => new(null, null, new WebhookError(code, message));

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook endpoint {EndpointId} added to workspace {WorkspaceId}")]
    private static partial void LogEndpointAdded(ILogger logger, string workspaceId, string endpointId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook endpoint {EndpointId} removed from workspace {WorkspaceId}")]
    private static partial void LogEndpointRemoved(ILogger logger, string workspaceId, string endpointId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook signing secret of workspace {WorkspaceId} rotated; the previous one also signs for {Overlap}")]
    private static partial void LogSecretRotated(ILogger logger, string workspaceId, TimeSpan overlap);
}

[GenerateSerializer]
internal sealed class WorkspaceWebhooksState
{
    [Id(0)] public List<WebhookEndpointState> Endpoints { get; set; } = [];

    /// <summary>
    /// SECRET: the HMAC key of every webhook of the workspace, stored as issued. The one member to encrypt at rest
    /// (SecretProtector) — nothing else in this state is sensitive.
    /// </summary>
    [Id(1)] public string? SigningSecret { get; set; }

    [Id(2)] public DateTimeOffset? SecretCreatedAt { get; set; }

    /// <summary>SECRET: the secret a rotation replaced, which signs too until <see cref="PreviousSecretValidUntil"/>.</summary>
    [Id(3)] public string? PreviousSigningSecret { get; set; }

    [Id(4)] public DateTimeOffset? PreviousSecretValidUntil { get; set; }
}

[GenerateSerializer]
internal sealed class WebhookEndpointState
{
    [Id(0)] public string EndpointId { get; set; } = "";
    [Id(1)] public string Url { get; set; } = "";
    [Id(2)] public List<string> Events { get; set; } = [];
    [Id(3)] public DateTimeOffset CreatedAt { get; set; }

    public WebhookEndpoint ToView() => new(EndpointId, Url, [.. Events], CreatedAt);
}
