using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ViaSocket.Blocks.Http;
using ViaSocket.Connections;
using ViaSocket.Domain;
using ViaSocket.Domain.Connections;
using ViaSocket.Grains.Diagnostics;

namespace ViaSocket.Server.Proxy;

/// <summary>A request a workflow engine asks the service to send (proxy) or to complete (apply) with a connection's credentials.</summary>
/// <param name="Body">JSON for <c>json</c> (objects get the credential body members merged in), an object of strings for <c>form</c>, a string for <c>raw</c>.</param>
public sealed record ProxyRequest(
    string Method,
    string Url,
    IReadOnlyDictionary<string, string>? Headers,
    IReadOnlyDictionary<string, string>? Query,
    JsonNode? Body,
    string? BodyType);

/// <param name="Data">The response body: parsed JSON when it is JSON, otherwise text.</param>
/// <param name="Refreshed">True when the first attempt was rejected and the retry used refreshed credentials.</param>
public sealed record ProxyResponse(int Status, IReadOnlyDictionary<string, string> Headers, JsonNode? Data, bool Refreshed);

/// <param name="RetryAfter">Set when the connection answered "not now" (see <see cref="CredentialsResult.RetryAfter"/>).</param>
public sealed record ProxyOutcome(ProxyResponse? Response, ConnectionError? Error, TimeSpan? RetryAfter = null);

/// <param name="Credentials">The credentials merged in, for the proxy's refresh-and-retry decision.</param>
/// <param name="RetryAfter">Set when the connection answered "not now" (see <see cref="CredentialsResult.RetryAfter"/>).</param>
public sealed record ApplyOutcome(AppliedRequest? Request, ConnectionCredentials? Credentials, ConnectionError? Error, TimeSpan? RetryAfter = null);

/// <summary>
/// Merges a connection's credentials into a request (<see cref="CredentialRequestMerger"/>), and sends it through the
/// guarded client; on a response that says the token expired (<c>refreshOnStatus</c>, or a <c>refreshOn</c> rule on
/// status and body) it asks the connection to refresh and retries once.
/// </summary>
public sealed class ConnectionProxy(OutboundHttpClient http)
{
    public const string UrlNotAllowed = CredentialRequestMerger.UrlNotAllowed;
    public const string InvalidRequest = CredentialRequestMerger.InvalidRequest;
    public const string UpstreamFailed = "proxy.upstream_failed";

    /// <summary>The request with the connection's current credentials merged in, not sent anywhere.</summary>
    public static async Task<ApplyOutcome> ApplyAsync(IConnectionGrain connection, ProxyRequest request)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(request);

        // A malformed request is refused before the connection is asked for anything.
        if (CredentialRequestMerger.Validate(request) is { } invalid)
        {
            return new ApplyOutcome(null, null, invalid);
        }

        var credentials = await connection.GetCredentialsAsync();
        return credentials.Succeeded ? Merge(request, credentials.Credentials!) : new ApplyOutcome(null, null, credentials.Error, credentials.RetryAfter);
    }

    public async Task<ProxyOutcome> SendAsync(IConnectionGrain connection, ProxyRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(request);
        var key = GrainKeys.Split(connection.GetPrimaryKeyString());
        using var activity = ViaSocketActivities.StartConnectionActivity(ViaSocketActivities.Names.Proxy, key[0], key[1]);
        var outcome = await SendWithRetryAsync(connection, request, cancellationToken);

        // The provider's status, never the URL: its query may carry credentials.
        activity.SetOutcome(outcome.Error?.Code, outcome.Response?.Status);
        activity?.SetTag("viasocket.proxy.refreshed", outcome.Response?.Refreshed);
        return outcome;
    }

    private static ApplyOutcome Merge(ProxyRequest request, ConnectionCredentials credentials)
    {
        var merged = CredentialRequestMerger.Merge(request, credentials);
        return new ApplyOutcome(merged.Request, credentials, merged.Error);
    }

    private async Task<ProxyOutcome> SendWithRetryAsync(IConnectionGrain connection, ProxyRequest request, CancellationToken cancellationToken)
    {
        var applied = await ApplyAsync(connection, request);
        if (applied.Error is not null)
        {
            return new ProxyOutcome(null, applied.Error, applied.RetryAfter);
        }

        var credentials = applied.Credentials!;
        var first = await SendOnceAsync(applied.Request!, cancellationToken);
        if (first.Error is not null || !TokenExpired(credentials, first.Response!))
        {
            return first;
        }

        var refreshed = await connection.RefreshRejectedAsync(credentials.Generation);
        if (!refreshed.Succeeded)
        {
            return new ProxyOutcome(null, refreshed.Error, refreshed.RetryAfter);
        }

        var reapplied = Merge(request, refreshed.Credentials!);
        if (reapplied.Error is not null)
        {
            return new ProxyOutcome(null, reapplied.Error);
        }

        var retry = await SendOnceAsync(reapplied.Request!, cancellationToken);
        return retry.Response is { } response ? retry with { Response = response with { Refreshed = true } } : retry;
    }

    /// <summary>Whether the provider's answer says the token expired: by status alone, or by a rule on status and body.</summary>
    private static bool TokenExpired(ConnectionCredentials credentials, ProxyResponse response)
    {
        if (credentials.RefreshOnStatus.Contains(response.Status))
        {
            return true;
        }

        if (credentials.RefreshOn.Count == 0)
        {
            return false;
        }

        var document = ResponseBodyMatch.AsDocument(response.Data);
        return credentials.RefreshOn.Any(rule => ResponseBodyMatch.RefreshOnHolds(response.Status, document, rule.Status, rule.Match));
    }

    private async Task<ProxyOutcome> SendOnceAsync(AppliedRequest request, CancellationToken cancellationToken)
    {
        using var message = Build(request);
        try
        {
            var response = await http.SendAsync(message, cancellationToken);
            return new ProxyOutcome(new ProxyResponse(response.StatusCode, ResponseHeaders(response), ParseBody(response), false), null);
        }
        catch (OutboundRequestException exception)
        {
            return new ProxyOutcome(null, new ConnectionError(UpstreamFailed, exception.Message));
        }
    }

    private static HttpRequestMessage Build(AppliedRequest request)
    {
        var message = new HttpRequestMessage(new HttpMethod(request.Method), request.Url) { Content = BuildContent(request) };
        foreach (var (name, value) in request.Headers)
        {
            SetHeader(message, name, value);
        }

        return message;
    }

    private static HttpContent? BuildContent(AppliedRequest request) => request.Body switch
    {
        null => null,
        JsonObject form when request.BodyType == CredentialRequestMerger.FormBody =>
            new FormUrlEncodedContent(form.Select(p => KeyValuePair.Create(p.Key, p.Value!.GetValue<string>()))),
        { } raw when request.BodyType == CredentialRequestMerger.RawBody => new StringContent(raw.GetValue<string>(), Encoding.UTF8, "text/plain"),
        { } json => new StringContent(json.ToJsonString(), Encoding.UTF8, "application/json"),
    };

    private static void SetHeader(HttpRequestMessage message, string name, string value)
    {
        if (name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase))
        {
            if (message.Content is not null && name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase) && MediaTypeHeaderValue.TryParse(value, out var type))
            {
                message.Content.Headers.ContentType = type;
            }

            return;
        }

        message.Headers.Remove(name);
        message.Headers.TryAddWithoutValidation(name, value);
    }

    private static Dictionary<string, string> ResponseHeaders(OutboundResponse response) =>
        response.Headers
            .Where(h => !h.Key.Equals("Set-Cookie", StringComparison.OrdinalIgnoreCase))
            .GroupBy(h => h.Key, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key.ToLowerInvariant(), g => string.Join(", ", g.Select(h => h.Value)), StringComparer.Ordinal);

    /// <summary>
    /// The provider's body as JSON when it can be answered with: the answer's own object takes a level of the 64 that
    /// JSON is written with, so deeper JSON (or JSON escaping an unpaired surrogate) is relayed as its text.
    /// </summary>
    private const int MaxDataDepth = 60;

    private static JsonNode? ParseBody(OutboundResponse response)
    {
        if (response.Body.Length == 0)
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(response.Body);
        return BoundedJson.TryParse(text, MaxDataDepth, out var data) == BoundedJsonOutcome.Parsed ? data : JsonValue.Create(text);
    }
}
