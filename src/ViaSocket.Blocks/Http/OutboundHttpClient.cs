using System.Net.Http.Headers;
using Microsoft.Extensions.Options;

namespace ViaSocket.Blocks.Http;

/// <summary>
/// Sends requests through the guarded client (IHttpClientFactory name <see cref="HttpClientName"/>): enforces the
/// timeout and the response size cap while reading, never follows redirects, and reports failures as
/// <see cref="OutboundRequestException"/> with a <see cref="OutboundFailureKind"/>. Independent of the sandbox so
/// the connection proxy can use it too.
/// </summary>
public sealed class OutboundHttpClient(IHttpClientFactory httpClientFactory, IOptions<OutboundHttpOptions> options, TimeProvider timeProvider)
{
    /// <summary>The IHttpClientFactory name of the guarded client.</summary>
    public const string HttpClientName = "ViaSocket.GuardedOutbound";

    /// <summary>Sends <paramref name="request"/> with the configured timeout.</summary>
    /// <exception cref="OutboundRequestException">The request was refused, timed out, failed on the network, or its response was too large.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<OutboundResponse> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        => SendAsync(request, timeout: null, cancellationToken);

    /// <summary>Sends <paramref name="request"/>; <paramref name="timeout"/> can only shorten the configured timeout.</summary>
    /// <exception cref="OutboundRequestException">The request was refused, timed out, failed on the network, or its response was too large.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<OutboundResponse> SendAsync(HttpRequestMessage request, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var settings = options.Value;
        var effectiveTimeout = timeout is { } requested && requested > TimeSpan.Zero && requested < settings.Timeout
            ? requested
            : settings.Timeout;

        using var timeoutSource = new CancellationTokenSource(effectiveTimeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        var client = httpClientFactory.CreateClient(HttpClientName);
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            var body = await ReadBodyAsync(response.Content, settings.MaxResponseBytes, linked.Token).ConfigureAwait(false);
            return new OutboundResponse(
                (int)response.StatusCode,
                response.ReasonPhrase ?? "",
                CollectHeaders(response),
                body);
        }
        catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new OutboundRequestException(OutboundFailureKind.Timeout, $"The request to {Describe(request)} timed out after {effectiveTimeout.TotalSeconds:0.###} s.");
        }
        catch (HttpRequestException error) when (FindInner<OutboundAddressRefusedException>(error) is { } refused)
        {
            throw new OutboundRequestException(OutboundFailureKind.AddressRefused, refused.Message);
        }
        catch (HttpRequestException error) when (error.HttpRequestError is HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError or HttpRequestError.SecureConnectionError
            && !cancellationToken.IsCancellationRequested)
        {
            // Failed before the request went out: the provider cannot have acted on it.
            throw new OutboundRequestException(OutboundFailureKind.Unreachable, $"The request to {Describe(request)} failed: {NetworkReason(error)}.");
        }
        catch (Exception error) when (error is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            // The inner exception text can echo the URL, so only the kind of failure is reported.
            throw new OutboundRequestException(OutboundFailureKind.Network, $"The request to {Describe(request)} failed: {NetworkReason(error)}.");
        }
    }

    private static async Task<byte[]> ReadBodyAsync(HttpContent content, long maxBytes, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength is { } declared && declared > maxBytes)
        {
            throw TooLarge(maxBytes);
        }

        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + read > maxBytes)
                {
                    throw TooLarge(maxBytes);
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
    }

    private static OutboundRequestException TooLarge(long maxBytes)
        => new(OutboundFailureKind.ResponseTooLarge, $"The response is larger than the {maxBytes} bytes allowed.");

    private static List<KeyValuePair<string, string>> CollectHeaders(HttpResponseMessage response)
    {
        var headers = new List<KeyValuePair<string, string>>();
        Add(response.Headers);
        Add(response.Content.Headers);
        return headers;

        void Add(HttpHeaders source)
        {
            foreach (var (name, values) in source.NonValidated)
            {
                foreach (var value in values)
                {
                    headers.Add(new(name, value));
                }
            }
        }
    }

    private static string Describe(HttpRequestMessage request)
        => request.RequestUri is { IsAbsoluteUri: true } uri ? uri.GetLeftPart(UriPartial.Authority) : "the provider";

    private static string NetworkReason(Exception error) => FindInner<System.Net.Sockets.SocketException>(error) is { } socket
        ? socket.SocketErrorCode switch
        {
            System.Net.Sockets.SocketError.ConnectionRefused => "connection refused",
            System.Net.Sockets.SocketError.HostNotFound or System.Net.Sockets.SocketError.NoData => "host not found",
            System.Net.Sockets.SocketError.ConnectionReset => "connection reset",
            System.Net.Sockets.SocketError.TimedOut => "connect timed out",
            _ => "network error",
        }
        : "network error";

    private static T? FindInner<T>(Exception error) where T : Exception
    {
        for (Exception? current = error; current is not null; current = current.InnerException)
        {
            if (current is T match)
            {
                return match;
            }
        }

        return null;
    }
}

/// <summary>A response as read by <see cref="OutboundHttpClient"/>; redirects (3xx) come back as they are.</summary>
/// <param name="StatusCode">The HTTP status.</param>
/// <param name="ReasonPhrase">The status text.</param>
/// <param name="Headers">Response and content headers, one entry per value, names as sent.</param>
/// <param name="Body">The whole body (within the size cap).</param>
public sealed record OutboundResponse(int StatusCode, string ReasonPhrase, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body)
{
    public bool IsSuccessStatusCode => StatusCode is >= 200 and < 300;

    /// <summary>All values of <paramref name="name"/> (case-insensitive).</summary>
    public IEnumerable<string> GetHeaderValues(string name)
        => Headers.Where(header => string.Equals(header.Key, name, StringComparison.OrdinalIgnoreCase)).Select(header => header.Value);
}

/// <summary>Why an outbound request failed before a response could be returned.</summary>
public enum OutboundFailureKind
{
    /// <summary>The host resolved to an address the policy refuses.</summary>
    AddressRefused,
    /// <summary>The request ran out of time.</summary>
    Timeout,
    /// <summary>A failure after the request may have been sent (reset, connection dropped while reading).</summary>
    Network,
    /// <summary>DNS, connect or TLS failure: nothing was sent.</summary>
    Unreachable,
    /// <summary>The response body exceeded the size cap.</summary>
    ResponseTooLarge,
}

/// <summary>An outbound request failed; the message names the failure and the target host, never query values or bodies.</summary>
public sealed class OutboundRequestException(OutboundFailureKind kind, string message) : Exception(message)
{
    public OutboundFailureKind Kind { get; } = kind;

    /// <summary>The same failure as a block failure.</summary>
    public BlockFailure ToBlockFailure() => Kind switch
    {
        OutboundFailureKind.AddressRefused => new(BlockFailureKind.Refused, BlockErrorCodes.AddressRefused, Message),
        OutboundFailureKind.ResponseTooLarge => new(BlockFailureKind.Refused, BlockErrorCodes.ResponseTooLarge, Message),
        OutboundFailureKind.Timeout => new(BlockFailureKind.Timeout, BlockErrorCodes.Timeout, Message),
        OutboundFailureKind.Unreachable => new(BlockFailureKind.Network, BlockErrorCodes.Unreachable, Message),
        _ => new(BlockFailureKind.Network, BlockErrorCodes.NetworkError, Message),
    };
}
