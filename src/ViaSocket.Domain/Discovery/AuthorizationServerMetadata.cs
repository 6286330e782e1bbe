namespace ViaSocket.Domain.Discovery;

/// <summary>
/// The members of an OAuth 2.0 Authorization Server Metadata (RFC 8414) or OpenID Connect discovery document that a
/// definition is built from; every endpoint is an absolute https URL (http only for loopback hosts).
/// </summary>
/// <param name="CodeChallengeMethodsSupported">Empty when the document does not say: the server may not support PKCE.</param>
/// <param name="TokenEndpointAuthMethodsSupported">Empty when the document does not say: RFC 8414 then means <c>client_secret_basic</c>.</param>
/// <param name="GrantTypesSupported">Empty when the document does not say.</param>
public sealed record AuthorizationServerMetadata(
    string Issuer,
    string AuthorizationEndpoint,
    string TokenEndpoint,
    string? RevocationEndpoint,
    string? UserinfoEndpoint,
    string? IntrospectionEndpoint,
    string? JwksUri,
    IReadOnlyList<string> ScopesSupported,
    IReadOnlyList<string> CodeChallengeMethodsSupported,
    IReadOnlyList<string> TokenEndpointAuthMethodsSupported,
    IReadOnlyList<string> GrantTypesSupported,
    bool AuthorizationResponseIssParameterSupported)
{
    /// <summary>Every endpoint the document names, for the allowed URLs (a method, so the API's copy of the document lists only its members).</summary>
    public IEnumerable<string> Endpoints() =>
        new[] { TokenEndpoint, RevocationEndpoint, UserinfoEndpoint, IntrospectionEndpoint }.OfType<string>();
}

/// <summary>Stable codes of a failed discovery.</summary>
public static class DiscoveryErrorCodes
{
    /// <summary>The issuer given is not an absolute https URL without query or fragment.</summary>
    public const string InvalidIssuer = "discovery.invalid_issuer";

    /// <summary>No metadata document at either well-known location.</summary>
    public const string NotFound = "discovery.not_found";

    /// <summary>The document is not JSON, too large or too deep, or lacks a required member.</summary>
    public const string InvalidDocument = "discovery.invalid_document";

    /// <summary>The document's <c>issuer</c> is not the issuer asked for (RFC 8414 section 3.3): a possible mix-up.</summary>
    public const string IssuerMismatch = "discovery.issuer_mismatch";

    /// <summary>An endpoint is not an absolute https URL (http only for loopback hosts).</summary>
    public const string InsecureEndpoint = "discovery.insecure_endpoint";

    /// <summary>The issuer's host resolved to an address the outbound policy refuses (private, link-local, metadata...).</summary>
    public const string AddressRefused = "discovery.address_refused";

    /// <summary>The metadata could not be fetched: DNS, connect, TLS, timeout or network failure.</summary>
    public const string Unreachable = "discovery.unreachable";
}

/// <summary>A discovery outcome: the metadata, or a stable error code and a message naming no secret.</summary>
public sealed record DiscoveryResult(AuthorizationServerMetadata? Metadata, string? ErrorCode, string? Message)
{
    public static DiscoveryResult Success(AuthorizationServerMetadata metadata) => new(metadata, null, null);

    public static DiscoveryResult Failure(string code, string message) => new(null, code, message);
}
