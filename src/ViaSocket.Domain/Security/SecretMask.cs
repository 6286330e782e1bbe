using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ViaSocket.Domain.Security;

/// <summary>
/// Replaces every occurrence of one secret's value in text a block produced: the value itself and the spellings
/// code commonly turns it into (percent- and form-encoding, JSON escaping, hex), and any base64 or base64url run
/// that decodes to text containing it (<c>Basic base64(clientId:secret)</c>, <c>btoa(secret)</c>). Best effort
/// against showing the value by accident; code that wants to leak it can always spell it otherwise.
/// </summary>
public sealed partial class SecretMask
{
    /// <summary>What each occurrence becomes.</summary>
    public const string Replacement = "[client secret]";

    private static readonly JsonSerializerOptions StrictJson = new() { Encoder = JavaScriptEncoder.Default };
    private static readonly JsonSerializerOptions RelaxedJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly string _secret;
    private readonly string[] _spellings;

    private SecretMask(string secret)
    {
        _secret = secret;

        // Longest first, so that a spelling containing another is replaced whole.
        _spellings = [.. Spellings(secret).Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length)];
    }

    /// <summary>A mask for <paramref name="secret"/>, or null when there is no secret to hide.</summary>
    public static SecretMask? For(string? secret) => string.IsNullOrEmpty(secret) ? null : new SecretMask(secret);

    /// <summary>True when <paramref name="text"/> shows the secret in any of the spellings this mask knows.</summary>
    public bool IsShownIn(string text) => !string.Equals(Apply(text), text, StringComparison.Ordinal);

    /// <summary><paramref name="text"/> with every occurrence of the secret replaced by <see cref="Replacement"/>.</summary>
    public string Apply(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var masked = text;
        foreach (var spelling in _spellings)
        {
            masked = masked.Replace(spelling, Replacement, StringComparison.Ordinal);
        }

        return Base64Run().Replace(masked, run => DecodesToSecret(run.Value) ? Replacement : run.Value);
    }

    /// <summary>A copy of <paramref name="node"/> with the secret masked in every string and member name.</summary>
    public JsonNode? Apply(JsonNode? node) => node switch
    {
        null => null,
        JsonObject obj => MaskMembers(obj),
        JsonArray array => new JsonArray([.. array.Select(Apply)]),
        JsonValue value when value.GetValueKind() == JsonValueKind.String => JsonValue.Create(Apply(value.GetValue<string>())),
        _ => node.DeepClone(),
    };

    private JsonObject MaskMembers(JsonObject obj)
    {
        var masked = new JsonObject();
        foreach (var (name, value) in obj)
        {
            // Two names that differ only by the secret become one; the last wins rather than failing the copy.
            masked[Apply(name)] = Apply(value);
        }

        return masked;
    }

    private static IEnumerable<string> Spellings(string secret)
    {
        yield return secret;
        foreach (var unreserved in new[] { UriUnreserved, JavaScriptUnreserved, FormUnreserved })
        {
            yield return PercentEncode(secret, unreserved, lowerHex: false);
            yield return PercentEncode(secret, unreserved, lowerHex: true);
        }

        // What RFC 6749 Basic client authentication encodes the secret as before base64 (ClientBasicAuth).
        yield return WebUtility.UrlEncode(secret);
        yield return JsonSerializer.Serialize(secret, StrictJson)[1..^1];
        yield return JsonSerializer.Serialize(secret, RelaxedJson)[1..^1];
        var utf8 = Encoding.UTF8.GetBytes(secret);
        yield return Convert.ToHexStringLower(utf8);
        yield return Convert.ToHexString(utf8);
    }

    // RFC 3986 unreserved (Uri.EscapeDataString), what encodeURIComponent leaves, and WHATWG form encoding (URLSearchParams).
    private const string UriUnreserved = "-._~";
    private const string JavaScriptUnreserved = "-_.!~*'()";
    private const string FormUnreserved = "*-._";

    private static string PercentEncode(string text, string unreserved, bool lowerHex)
    {
        var form = ReferenceEquals(unreserved, FormUnreserved);
        var encoded = new StringBuilder(text.Length * 3);
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || (b < 0x80 && unreserved.Contains(c, StringComparison.Ordinal)))
            {
                encoded.Append(c);
            }
            else if (form && c == ' ')
            {
                encoded.Append('+');
            }
            else
            {
                encoded.Append('%').Append(lowerHex ? Convert.ToHexStringLower([b]) : Convert.ToHexString([b]));
            }
        }

        return encoded.ToString();
    }

    // Base64 of a spelling, not only of the value: Basic credentials are form-encoded before they are base64-encoded.
    private bool ShowsSecret(string decoded) => _spellings.Any(spelling => decoded.Contains(spelling, StringComparison.Ordinal));

    private bool DecodesToSecret(string run)
    {
        var standard = run.TrimEnd('=').Replace('-', '+').Replace('_', '/');

        // The run may start with characters that are not part of the encoded text ("Bearer" + base64): one of the
        // four alignments lines the quartets up with it.
        for (var offset = 0; offset < 4 && standard.Length - offset >= 4; offset++)
        {
            var aligned = standard[offset..];
            aligned = aligned.Length % 4 == 1 ? aligned[..^1] : aligned;
            var padded = aligned.PadRight(aligned.Length + ((4 - (aligned.Length % 4)) % 4), '=');
            var buffer = new byte[padded.Length / 4 * 3];
            if (Convert.TryFromBase64String(padded, buffer, out var written) && (ShowsSecret(Encoding.UTF8.GetString(buffer, 0, written))
                || ShowsSecret(Encoding.Latin1.GetString(buffer, 0, written))))
            {
                return true;
            }
        }

        return false;
    }

    // Shorter runs cannot hold an encoded secret worth finding.
    [GeneratedRegex(@"[A-Za-z0-9+/_-]{8,}={0,2}", RegexOptions.CultureInvariant)]
    private static partial Regex Base64Run();
}
