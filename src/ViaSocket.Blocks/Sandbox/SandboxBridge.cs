using System.Text;
using System.Text.Json;
using ViaSocket.Blocks.Http;

namespace ViaSocket.Blocks.Sandbox;

/// <summary>
/// What the prelude's host functions do. Only strings cross the boundary, so no .NET object (and no .NET
/// exception) ever reaches a script; outbound calls never fault, they answer with an outcome envelope.
/// </summary>
internal sealed class SandboxBridge(
    OutboundHttpClient? httpClient,
    BlockUrlPolicy urls,
    RunDiagnostics diagnostics,
    int maxOutboundCalls,
    TimeProvider timeProvider,
    CancellationToken runCancellation)
{
    private int _outboundCalls;

    /// <summary>
    /// The first request refused because its URL is outside the allowed URLs. The run fails with it whatever the
    /// script does next (catching the error and returning something else would hide a misdirected secret).
    /// </summary>
    public Uri? RefusedUrl { get; private set; }

    /// <summary>Invoked when an awaited host task completes, before the script resumes.</summary>
    public Action? OnResume { get; set; }

    public void Log(string level, string message) => diagnostics.Log(level, message);

    public async Task<string> SendAsync(string requestJson)
    {
        try
        {
            if (httpClient is null)
            {
                return Failure("ERR_NOT_SUPPORTED", "Outbound requests are not available here.");
            }

            if (Interlocked.Increment(ref _outboundCalls) > maxOutboundCalls)
            {
                return JsonSerializer.Serialize(new
                {
                    ok = false,
                    limit = SandboxLimits.OutboundCalls,
                    message = $"A block may make at most {maxOutboundCalls} outbound requests.",
                });
            }

            return await SendCoreAsync(httpClient, requestJson).ConfigureAwait(false);
        }
        catch (Exception error) when (error is FormatException or InvalidOperationException or ArgumentException or JsonException)
        {
            // The exception text may quote the header value; the script gets a fixed message.
            return Failure(OutboundErrorCodes.InvalidRequest, "The request is not valid: a method, header name or header value is malformed.");
        }
        finally
        {
            OnResume?.Invoke();
        }
    }

    private async Task<string> SendCoreAsync(OutboundHttpClient client, string requestJson)
    {
        using var document = JsonDocument.Parse(requestJson);
        var root = document.RootElement;
        var method = root.GetProperty("method").GetString() ?? "GET";
        var url = root.GetProperty("url").GetString() ?? "";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return Failure(OutboundErrorCodes.InvalidRequest, "The request URL must be an absolute http or https URL.");
        }

        if (!urls.Allows(uri))
        {
            RefusedUrl ??= uri;
            diagnostics.Trace(new HttpTraceEntry(method, UrlRedaction.Redact(uri), null, TimeSpan.Zero, "Not sent: outside the allowed URLs."));
            return Failure(OutboundErrorCodes.UrlNotAllowed, "The request URL is outside the auth version's allowed URLs; it was not sent.");
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
                return Failure(OutboundErrorCodes.InvalidRequest, "The request is not valid: a header name or value is malformed.");
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
            var response = await client.SendAsync(request, timeout, runCancellation).ConfigureAwait(false);
            diagnostics.Trace(new HttpTraceEntry(method, redactedUrl, response.StatusCode, timeProvider.GetElapsedTime(started), null));
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
            diagnostics.Trace(new HttpTraceEntry(method, redactedUrl, null, timeProvider.GetElapsedTime(started), error.Message));
            return Failure(AxiosCode(error.Kind), error.Message);
        }
        catch (OperationCanceledException)
        {
            // The run itself is ending (its time budget or the caller); the runner reports why.
            return Failure("ERR_CANCELED", "The request was canceled.");
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

    private static string Failure(string code, string message)
        => JsonSerializer.Serialize(new { ok = false, code, message });

    /// <summary>Converts text to a binary string (one char per byte) from the named encoding.</summary>
    public static string ToBinary(string text, string encoding) => Encoding.Latin1.GetString(Decode(text, encoding));

    /// <summary>Converts a binary string (one char per byte) to text in the named encoding.</summary>
    public static string FromBinary(string binary, string encoding)
    {
        var bytes = Encoding.Latin1.GetBytes(binary);
        return NormalizeEncoding(encoding) switch
        {
            "utf8" => Encoding.UTF8.GetString(bytes),
            "base64" => Convert.ToBase64String(bytes),
            "base64url" => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_'),
            "hex" => Convert.ToHexStringLower(bytes),
            "latin1" => binary,
            "ascii" => Encoding.ASCII.GetString(bytes),
            _ => throw new ArgumentException($"Unknown encoding '{encoding}'."),
        };
    }

    private static byte[] Decode(string text, string encoding)
    {
        switch (NormalizeEncoding(encoding))
        {
            case "utf8":
                return Encoding.UTF8.GetBytes(text);
            case "base64":
            case "base64url":
                var standard = text.Trim().Replace('-', '+').Replace('_', '/').TrimEnd('=');
                return Convert.FromBase64String(standard.PadRight(standard.Length + ((4 - (standard.Length % 4)) % 4), '='));
            case "hex":
                return Convert.FromHexString(text);
            case "latin1":
                return Encoding.Latin1.GetBytes(text);
            case "ascii":
                return Encoding.ASCII.GetBytes(text);
            default:
                throw new ArgumentException($"Unknown encoding '{encoding}'.");
        }
    }

    private static string NormalizeEncoding(string encoding) => encoding.ToLowerInvariant() switch
    {
        "utf8" or "utf-8" => "utf8",
        "latin1" or "binary" => "latin1",
        var other => other,
    };
}

/// <summary>The <c>error.code</c> values the axios shim uses for requests that got no response.</summary>
public static class OutboundErrorCodes
{
    /// <summary>As axios reports a timeout.</summary>
    public const string Timeout = "ECONNABORTED";
    public const string Network = "ERR_NETWORK";

    /// <summary>As Node reports a connection that could not be made: nothing was sent.</summary>
    public const string Unreachable = "ECONNREFUSED";
    public const string AddressRefused = "ERR_ADDRESS_REFUSED";
    public const string ResponseTooLarge = "ERR_RESPONSE_TOO_LARGE";

    /// <summary>The URL is outside the version's allowed URLs; nothing was sent.</summary>
    public const string UrlNotAllowed = "ERR_URL_NOT_ALLOWED";

    /// <summary>The script built a request that cannot be sent (bad URL, method or header).</summary>
    public const string InvalidRequest = "ERR_INVALID_REQUEST";
}
