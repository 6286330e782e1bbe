using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ViaSocket.Grains.Events;

/// <summary>The headers of a webhook request.</summary>
public static class WebhookHeaders
{
    /// <summary>The event id; the same on every retry, so receivers can drop duplicates.</summary>
    public const string EventId = "X-ViaSocket-Event-Id";

    /// <summary>When the request was signed, in Unix seconds.</summary>
    public const string Timestamp = "X-ViaSocket-Timestamp";

    /// <summary>
    /// <c>v1=&lt;hex HMAC-SHA256(secret, "&lt;timestamp&gt;.&lt;body&gt;")&gt;</c>; during a secret rotation's overlap
    /// <c>v1=&lt;new&gt;,v1=&lt;previous&gt;</c>. A receiver accepts the request when any one matches its secret.
    /// </summary>
    public const string Signature = "X-ViaSocket-Signature";
}

/// <summary>
/// Signs webhook bodies: <c>v1=</c> + lowercase hex of HMAC-SHA256 keyed with the UTF-8 bytes of the workspace's
/// signing secret over <c>"&lt;timestamp&gt;."</c> followed by the raw body. Signing the timestamp with the body lets
/// receivers refuse replays of old requests.
/// </summary>
public static class WebhookSignature
{
    public const string Scheme = "v1";

    private const string SchemePrefix = Scheme + "=";

    /// <summary>The signature header value for <paramref name="body"/> sent at <paramref name="timestamp"/> (Unix seconds).</summary>
    public static string Compute(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        return SchemePrefix + Convert.ToHexStringLower(Mac(secret, timestamp, body));
    }

    /// <summary>
    /// The signature header value signed with <paramref name="secret"/> and, when given, also with
    /// <paramref name="previousSecret"/> (comma-separated, the current one first), as during a rotation's overlap.
    /// </summary>
    public static string Compute(string secret, string? previousSecret, long timestamp, ReadOnlySpan<byte> body) =>
        previousSecret is null
            ? Compute(secret, timestamp, body)
            : Compute(secret, timestamp, body) + "," + Compute(previousSecret, timestamp, body);

    /// <summary>
    /// True when <paramref name="signatureHeader"/> holds a <c>v1</c> signature of <paramref name="body"/> and
    /// <paramref name="timestampHeader"/> made with <paramref name="secret"/>, and the timestamp is within
    /// <paramref name="tolerance"/> of <paramref name="now"/>. The header may list several comma-separated signatures.
    /// </summary>
    public static bool Verify(
        string secret, string? timestampHeader, ReadOnlySpan<byte> body, string? signatureHeader, DateTimeOffset now, TimeSpan tolerance)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        if (!long.TryParse(timestampHeader, NumberStyles.None, CultureInfo.InvariantCulture, out var timestamp)
            || string.IsNullOrEmpty(signatureHeader))
        {
            return false;
        }

        var age = now - DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(timestamp, 0, DateTimeOffset.MaxValue.ToUnixTimeSeconds()));
        if (age.Duration() > tolerance)
        {
            return false;
        }

        var expected = Mac(secret, timestamp, body);
        foreach (var candidate in signatureHeader.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (candidate.StartsWith(SchemePrefix, StringComparison.Ordinal)
                && TryDecodeHex(candidate.AsSpan(SchemePrefix.Length), out var given)
                && CryptographicOperations.FixedTimeEquals(given, expected))
            {
                return true;
            }
        }

        return false;
    }

    private static byte[] Mac(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret));
        hmac.AppendData(Encoding.ASCII.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + "."));
        hmac.AppendData(body);
        return hmac.GetHashAndReset();
    }

    private static bool TryDecodeHex(ReadOnlySpan<char> hex, out byte[] bytes)
    {
        bytes = new byte[hex.Length / 2];
        return hex.Length == 2 * SHA256.HashSizeInBytes
            && Convert.FromHexString(hex, bytes, out _, out var written) == System.Buffers.OperationStatus.Done
            && written == bytes.Length;
    }
}
