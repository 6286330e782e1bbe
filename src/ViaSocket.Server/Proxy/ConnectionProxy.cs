using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using ViaSocket.Blocks.Http;
using ViaSocket.Connections;
using ViaSocket.Domain.Credentials;
using ViaSocket.Grains.Diagnostics;

namespace ViaSocket.Server.Proxy;

/// <summary>A request a workflow engine asks the service to send with a connection's credentials.</summary>
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

public sealed record ProxyOutcome(ProxyResponse? Response, ConnectionError? Error);

/// <summary>
/// Sends a request with a connection's credentials appended, only to the version's allowed URLs, through the guarded
/// client; on a <c>refreshOnStatus</c> response it asks the connection to refresh and retries once.
/// </summary>
public sealed class ConnectionProxy(OutboundHttpClient http)
{
    public const string UrlNotAllowed = "proxy.url_not_allowed";
    public const string InvalidRequest = "proxy.invalid_request";
    public const string UpstreamFailed = "proxy.upstream_failed";

    private static readonly HashSet<string> ForbiddenHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade", "Proxy-Authorization", "TE", "Trailer",
    };

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

    private async Task<ProxyOutcome> SendWithRetryAsync(IConnectionGrain connection, ProxyRequest request, CancellationToken cancellationToken)
    {
        if (Validate(request) is { } invalid)
        {
            return new ProxyOutcome(null, new ConnectionError(InvalidRequest, invalid));
        }

        var credentials = await connection.GetCredentialsAsync();
        if (!credentials.Succeeded)
        {
            return new ProxyOutcome(null, credentials.Error);
        }

        if (!new AllowedUrlPolicy(credentials.Credentials!.AllowedUrls).IsAllowed(request.Url))
        {
            return new ProxyOutcome(null, new ConnectionError(UrlNotAllowed, "The URL is outside the auth version's allowed URLs; credentials are never sent there."));
        }

        var first = await SendOnceAsync(request, credentials.Credentials, cancellationToken);
        if (first.Error is not null || !credentials.Credentials.RefreshOnStatus.Contains(first.Response!.Status))
        {
            return first;
        }

        var refreshed = await connection.RefreshRejectedAsync(credentials.Credentials.Generation);
        if (!refreshed.Succeeded)
        {
            return new ProxyOutcome(null, refreshed.Error);
        }

        var retry = await SendOnceAsync(request, refreshed.Credentials!, cancellationToken);
        return retry.Response is { } response ? retry with { Response = response with { Refreshed = true } } : retry;
    }

    private async Task<ProxyOutcome> SendOnceAsync(ProxyRequest request, ConnectionCredentials credentials, CancellationToken cancellationToken)
    {
        using var message = Build(request, credentials);
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

    private static HttpRequestMessage Build(ProxyRequest request, ConnectionCredentials credentials)
    {
        var query = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (key, value) in request.Query ?? new Dictionary<string, string>())
        {
            query[key] = value;
        }

        foreach (var (key, value) in credentials.Query)
        {
            query[key] = value;
        }

        var message = new HttpRequestMessage(new HttpMethod(request.Method.ToUpperInvariant()), QueryHelpers.AddQueryString(request.Url, query));
        message.Content = BuildContent(request, credentials);
        foreach (var (name, value) in (request.Headers ?? new Dictionary<string, string>()).Where(h => !ForbiddenHeaders.Contains(h.Key)))
        {
            SetHeader(message, name, value);
        }

        foreach (var (name, value) in credentials.Headers)
        {
            SetHeader(message, name, value);
        }

        return message;
    }

    private static HttpContent? BuildContent(ProxyRequest request, ConnectionCredentials credentials)
    {
        var credentialBody = JsonNode.Parse(credentials.BodyJson) as JsonObject ?? [];
        switch (request.BodyType ?? "json")
        {
            case "form":
                var form = (request.Body as JsonObject ?? []).ToDictionary(p => p.Key, p => p.Value?.ToString() ?? "");
                foreach (var (key, value) in credentialBody)
                {
                    form[key] = value?.ToString() ?? "";
                }

                return form.Count == 0 ? null : new FormUrlEncodedContent(form);
            case "raw":
                return request.Body is null ? null : new StringContent(request.Body.GetValue<string>(), Encoding.UTF8, "text/plain");
            default:
                var body = request.Body?.DeepClone();
                if (credentialBody.Count > 0)
                {
                    body ??= new JsonObject();
                    if (body is JsonObject target)
                    {
                        foreach (var (key, value) in credentialBody)
                        {
                            target[key] = value?.DeepClone();
                        }
                    }
                }

                return body is null ? null : new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }
    }

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

    private static JsonNode? ParseBody(OutboundResponse response)
    {
        if (response.Body.Length == 0)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(response.Body);
        }
        catch (JsonException)
        {
            return JsonValue.Create(Encoding.UTF8.GetString(response.Body));
        }
    }

    private static string? Validate(ProxyRequest request)
    {
        string[] methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
        if (!methods.Contains(request.Method?.ToUpperInvariant()))
        {
            return "method must be one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS.";
        }

        if (!Uri.TryCreate(request.Url, UriKind.Absolute, out var url) || url.Scheme is not ("https" or "http"))
        {
            return "url must be an absolute http(s) URL.";
        }

        return request.BodyType switch
        {
            null or "json" => null,
            "form" when request.Body is null or JsonObject => null,
            "raw" when request.Body is null || request.Body.GetValueKind() == JsonValueKind.String => null,
            "form" => "A form body must be an object.",
            "raw" => "A raw body must be a string.",
            _ => "bodyType must be json, form or raw.",
        };
    }
}
