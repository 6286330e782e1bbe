using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ViaSocket.Domain.Connections;

namespace ViaSocket.Domain.Discovery;

/// <summary>
/// Reads a metadata document fetched from the issuer's host, which is untrusted input: it is bounded in size and
/// depth, its <c>issuer</c> must be the issuer asked for (RFC 8414 section 3.3), every endpoint must be an absolute
/// https URL (http only for loopback hosts), and members this service does not use are ignored.
/// </summary>
public static class MetadataDocument
{
    /// <summary>Real documents are a few KiB; anything far larger is not metadata.</summary>
    public const int MaxBytes = 64 * 1024;

    public const int MaxDepth = 8;

    /// <summary>More entries than this in one list are not believable metadata.</summary>
    public const int MaxListEntries = 200;

    private const int MaxEntryLength = 256;

    public static DiscoveryResult Parse(ReadOnlySpan<byte> utf8, string expectedIssuer)
    {
        ArgumentNullException.ThrowIfNull(expectedIssuer);
        if (utf8.Length > MaxBytes)
        {
            return Invalid($"The metadata document is larger than {MaxBytes} bytes.");
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(utf8);
        }
        catch (DecoderFallbackException)
        {
            return Invalid("The metadata document is not UTF-8.");
        }

        if (BoundedJson.TryParse(text, MaxDepth, out var node) != BoundedJsonOutcome.Parsed || node is not JsonObject document)
        {
            return Invalid($"The metadata document is not a JSON object nested at most {MaxDepth} levels.");
        }

        if (Text(document, "issuer") is not { } issuer)
        {
            return Invalid("The metadata document has no issuer.");
        }

        if (!string.Equals(issuer, expectedIssuer, StringComparison.Ordinal))
        {
            // The document's issuer is echoed back: it is public, and the author needs it to see the mix-up.
            return DiscoveryResult.Failure(DiscoveryErrorCodes.IssuerMismatch,
                $"The metadata names the issuer '{Shorten(issuer)}', not the issuer asked for; its endpoints are not used (RFC 8414 section 3.3).");
        }

        var endpoints = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var name in new[] { "authorization_endpoint", "token_endpoint", "revocation_endpoint", "userinfo_endpoint", "introspection_endpoint", "jwks_uri" })
        {
            var value = Text(document, name);
            if (value is not null && !FieldFormatRules.IsPlainHttpsUrl(value))
            {
                return DiscoveryResult.Failure(DiscoveryErrorCodes.InsecureEndpoint,
                    $"The metadata's {name} must be an absolute https URL (http only for loopback hosts) without user info, query or fragment.");
            }

            endpoints[name] = value;
        }

        if (endpoints["authorization_endpoint"] is not { } authorize || endpoints["token_endpoint"] is not { } token)
        {
            return Invalid("The metadata names no authorization_endpoint or no token_endpoint: the server does not offer the authorization code flow.");
        }

        var lists = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var name in new[] { "scopes_supported", "code_challenge_methods_supported", "token_endpoint_auth_methods_supported", "grant_types_supported" })
        {
            if (Strings(document, name) is not { } list)
            {
                return Invalid($"The metadata's {name} must be a list of at most {MaxListEntries} non-empty strings.");
            }

            lists[name] = list;
        }

        return DiscoveryResult.Success(new AuthorizationServerMetadata(
            issuer, authorize, token, endpoints["revocation_endpoint"], endpoints["userinfo_endpoint"], endpoints["introspection_endpoint"], endpoints["jwks_uri"],
            lists["scopes_supported"], lists["code_challenge_methods_supported"], lists["token_endpoint_auth_methods_supported"], lists["grant_types_supported"],
            document["authorization_response_iss_parameter_supported"] is JsonValue flag && flag.GetValueKind() == JsonValueKind.True));
    }

    private static DiscoveryResult Invalid(string message) => DiscoveryResult.Failure(DiscoveryErrorCodes.InvalidDocument, message);

    /// <summary>A member's string value; null when absent, null or not a string (ignored like an unknown member).</summary>
    private static string? Text(JsonObject document, string name) =>
        document[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    /// <summary>A list member: empty when absent; null when it is not a bounded list of bounded strings.</summary>
    private static List<string>? Strings(JsonObject document, string name)
    {
        if (document[name] is null)
        {
            return [];
        }

        if (document[name] is not JsonArray array || array.Count > MaxListEntries)
        {
            return null;
        }

        var values = new List<string>(array.Count);
        foreach (var entry in array)
        {
            if (entry is not JsonValue value || value.GetValueKind() != JsonValueKind.String || value.GetValue<string>() is not { Length: > 0 and <= MaxEntryLength } text
                || text.Any(char.IsControl))
            {
                return null;
            }

            if (!values.Contains(text, StringComparer.Ordinal))
            {
                values.Add(text);
            }
        }

        return values;
    }

    private static string Shorten(string value) =>
        new(value.Take(MaxEntryLength).Select(c => char.IsControl(c) ? '?' : c).ToArray());
}
