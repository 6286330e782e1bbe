using System.Text;
using System.Text.Json;
using ViaSocket.Blocks.Http;

namespace ViaSocket.Blocks.Sandbox;

/// <summary>
/// The silo side of a block's outbound requests, whether the script runs in this process or in a runner: the
/// version's allowed URLs, the call budget, header checks and the guarded client all live here, once, so a runner
/// needs no network and no policy of its own. Records every exchange, so a run retried after its runner crashed
/// gets the answers the provider already gave instead of sending (for example) a rotated refresh token twice.
/// </summary>
internal sealed class GuardedBlockHttp(
    OutboundHttpClient httpClient,
    BlockUrlPolicy urls,
    RunDiagnostics trace,
    int maxOutboundCalls,
    TimeProvider timeProvider) : IBlockHttpChannel
{
    private readonly Lock _gate = new();
    private readonly List<Exchange> _exchanges = [];
    private int _calls;
    private int _replayCursor = -1;

    /// <summary>
    /// The first request refused because its URL is outside the allowed URLs. The run fails with it whatever the
    /// script does next (catching the error and returning something else would hide a misdirected secret).
    /// </summary>
    public Uri? RefusedUrl { get; private set; }

    /// <summary>Answers the next run's requests from the recorded exchanges, in order, while they match.</summary>
    public void BeginReplay()
    {
        lock (_gate)
        {
            _replayCursor = 0;
        }
    }

    public async Task<string> SendAsync(string requestJson, CancellationToken cancellationToken)
    {
        try
        {
            using var document = JsonDocument.Parse(requestJson);
            var root = document.RootElement;
            var method = root.GetProperty("method").GetString() ?? "GET";
            var url = root.GetProperty("url").GetString() ?? "";
            if (Replayed(method, url) is { } recorded)
            {
                return recorded;
            }

            // Enforced here as well as in the sandbox: a runner is only as trustworthy as the code it runs.
            if (Interlocked.Increment(ref _calls) > maxOutboundCalls)
            {
                return OutboundEnvelopes.CallLimit(maxOutboundCalls);
            }

            var answer = await SendCoreAsync(root, method, url, cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                _exchanges.Add(new Exchange(method, url, answer));
            }

            return answer;
        }
        catch (Exception error) when (error is FormatException or InvalidOperationException or ArgumentException or JsonException or KeyNotFoundException)
        {
            // The exception text may quote the header value; the script gets a fixed message.
            return OutboundEnvelopes.Failure(OutboundErrorCodes.InvalidRequest, "The request is not valid: a method, header name or header value is malformed.");
        }
    }

    private string? Replayed(string method, string url)
    {
        lock (_gate)
        {
            if (_replayCursor < 0)
            {
                return null;
            }

            if (_replayCursor < _exchanges.Count && _exchanges[_replayCursor] is var exchange
                && exchange.Method == method && exchange.Url == url)
            {
                _replayCursor++;
                return exchange.Answer;
            }

            // The retried run went another way: from here on it talks to the provider.
            _replayCursor = -1;
            return null;
        }
    }

    private async Task<string> SendCoreAsync(JsonElement root, string method, string url, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return OutboundEnvelopes.Failure(OutboundErrorCodes.InvalidRequest, "The request URL must be an absolute http or https URL.");
        }

        if (!urls.Allows(uri))
        {
            RefusedUrl ??= uri;
            trace.Trace(new HttpTraceEntry(method, UrlRedaction.Redact(uri), null, TimeSpan.Zero, "Not sent: outside the allowed URLs."));
            return OutboundEnvelopes.Failure(OutboundErrorCodes.UrlNotAllowed, "The request URL is outside the auth version's allowed URLs; it was not sent.");
        }

        using var request = new HttpRequestMessage(new HttpMethod(method), uri);
        if (root.GetProperty("body").GetString() is { } body)
        {
            var bytes = root.GetProperty("binary").GetBoolean() ? Encoding.Latin1.GetBytes(body) : Encoding.UTF8.GetBytes(body);
            request.Content = new ByteArrayContent(bytes);
        }

        foreach (var header in root.GetProperty("headers").EnumerateArray())
        {
            var name = header[0].GetString()!;
            var value = header[1].GetString()!;
            if (!IsValidHeader(name, value))
            {
                return OutboundEnvelopes.Failure(OutboundErrorCodes.InvalidRequest, "The request is not valid: a header name or value is malformed.");
            }

            if (!request.Headers.TryAddWithoutValidation(name, value) && request.Content is not null)
            {
                request.Content.Headers.Remove(name);
                request.Content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        var timeoutMs = root.GetProperty("timeoutMs").GetDouble();
        var timeout = timeoutMs > 0 ? TimeSpan.FromMilliseconds(timeoutMs) : (TimeSpan?)null;
        var started = timeProvider.GetTimestamp();
        var redactedUrl = UrlRedaction.Redact(uri);
        try
        {
            var response = await httpClient.SendAsync(request, timeout, cancellationToken).ConfigureAwait(false);
            trace.Trace(new HttpTraceEntry(method, redactedUrl, response.StatusCode, timeProvider.GetElapsedTime(started), null));
            return JsonSerializer.Serialize(new
            {
                ok = true,
                status = response.StatusCode,
                statusText = response.ReasonPhrase,
                headers = response.Headers.Select(header => new[] { header.Key, header.Value }),
                body = Encoding.UTF8.GetString(response.Body),
            });
        }
        catch (OutboundRequestException error)
        {
            trace.Trace(new HttpTraceEntry(method, redactedUrl, null, timeProvider.GetElapsedTime(started), error.Message));
            return OutboundEnvelopes.Failure(AxiosCode(error.Kind), error.Message);
        }
    }

    // RFC 9110 field names are tokens; values must not smuggle line breaks.
    private static bool IsValidHeader(string name, string value)
        => name.Length > 0
            && name.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal))
            && !value.Any(c => c is '\r' or '\n' or '\0');

    private static string AxiosCode(OutboundFailureKind kind) => kind switch
    {
        OutboundFailureKind.Timeout => OutboundErrorCodes.Timeout,
        OutboundFailureKind.AddressRefused => OutboundErrorCodes.AddressRefused,
        OutboundFailureKind.ResponseTooLarge => OutboundErrorCodes.ResponseTooLarge,
        OutboundFailureKind.Unreachable => OutboundErrorCodes.Unreachable,
        _ => OutboundErrorCodes.Network,
    };

    private sealed record Exchange(string Method, string Url, string Answer);
}

/// <summary>The outcome envelopes the prelude's axios shim reads for a request that got no response.</summary>
internal static class OutboundEnvelopes
{
    public static string Failure(string code, string message)
        => JsonSerializer.Serialize(new { ok = false, code, message });

    public static string CallLimit(int maxOutboundCalls) => JsonSerializer.Serialize(new
    {
        ok = false,
        limit = SandboxLimits.OutboundCalls,
        message = $"A block may make at most {maxOutboundCalls} outbound requests.",
    });
}
