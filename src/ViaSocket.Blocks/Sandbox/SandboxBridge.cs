using System.Text;

namespace ViaSocket.Blocks.Sandbox;

/// <summary>
/// What the prelude's host functions do. Only strings cross the boundary, so no .NET object (and no .NET
/// exception) ever reaches a script; outbound calls never fault, they answer with an outcome envelope. Requests go
/// to an <see cref="IBlockHttpChannel"/>, which owns the URL policy and the guard.
/// </summary>
internal sealed class SandboxBridge(IBlockHttpChannel? http, RunDiagnostics diagnostics, int maxOutboundCalls, CancellationToken runCancellation)
{
    private int _outboundCalls;

    /// <summary>Invoked when an awaited host task completes, before the script resumes.</summary>
    public Action? OnResume { get; set; }

    public void Log(string level, string message) => diagnostics.Log(level, message);

    public async Task<string> SendAsync(string requestJson)
    {
        try
        {
            if (http is null)
            {
                return OutboundEnvelopes.Failure("ERR_NOT_SUPPORTED", "Outbound requests are not available here.");
            }

            if (Interlocked.Increment(ref _outboundCalls) > maxOutboundCalls)
            {
                return OutboundEnvelopes.CallLimit(maxOutboundCalls);
            }

            return await http.SendAsync(requestJson, runCancellation).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The run itself is ending (its time budget or the caller); the runner reports why.
            return OutboundEnvelopes.Failure("ERR_CANCELED", "The request was canceled.");
        }
        finally
        {
            OnResume?.Invoke();
        }
    }

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
