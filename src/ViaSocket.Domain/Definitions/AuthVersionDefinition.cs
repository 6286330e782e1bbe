namespace ViaSocket.Domain.Definitions;

/// <summary>
/// How users of one plugin connect with OAuth 2.0 Authorization Code: the document an integration
/// author writes (SPEC section 2). JSON, camelCase. Strings marked template may contain <c>${...}</c>.
/// </summary>
public sealed record AuthVersionDefinition
{
    /// <summary>Extra user inputs asked before redirecting; values land at <c>context.authData.&lt;key&gt;</c>.</summary>
    public IReadOnlyList<FieldDefinition> Fields { get; init; } = [];

    public AuthorizationDefinition? Authorization { get; init; }

    /// <summary>Exchanges the authorization code; result at <c>context.authData.accesstokencode</c>. Required.</summary>
    public ApiBlock? AccessToken { get; init; }

    /// <summary>Refreshes the access token; result at <c>context.authData.refreshtokencode</c>. Optional.</summary>
    public ApiBlock? RefreshToken { get; init; }

    /// <summary>Revokes the grant on disconnect; result at <c>context.authData.revoketokencode</c>. Optional.</summary>
    public ApiBlock? RevokeToken { get; init; }

    /// <summary>Proves the token works and identifies the account; result at <c>context.authData.testme</c>. Required.</summary>
    public ApiBlock? TestMe { get; init; }

    /// <summary>Template, e.g. <c>${context.authData.testme.email}</c>.</summary>
    public string? ConnectionLabel { get; init; }

    public bool MaskConnectionLabel { get; init; }

    /// <summary>Template naming the provider account; reconnecting the same account updates the existing connection.</summary>
    public string? UniqueIdentifier { get; init; }

    /// <summary>Absolute base URLs (scheme + host [+ path prefix]) the credentials may be sent to.</summary>
    public IReadOnlyList<string> AllowedUrls { get; init; } = [];

    public AppendDefinition Append { get; init; } = new();

    public TokenExpiryDefinition? TokenExpiry { get; init; }

    /// <summary>How long the provider's refresh tokens live and whether it accepts a replayed one; absent: see <see cref="RefreshTokenPolicyDefinition"/>.</summary>
    public RefreshTokenPolicyDefinition? RefreshTokenPolicy { get; init; }

    /// <summary>Response statuses of proxied requests that mean "token expired". Default <c>[401]</c>.</summary>
    public IReadOnlyList<int>? RefreshOnStatus { get; init; }

    /// <summary>
    /// Responses that also mean "token expired" though their status alone does not say it: Slack answers 200 with
    /// <c>{"ok":false,"error":"token_expired"}</c>, others 403 with an error code. Tried besides <see cref="RefreshOnStatus"/>.
    /// </summary>
    public IReadOnlyList<RefreshOnRule> RefreshOn { get; init; } = [];

    /// <summary>
    /// URL template: the root relative proxy URLs resolve against (a Salesforce <c>instance_url</c>), returned with the
    /// credentials and the metadata. Rendered per connection, it must fall under <see cref="AllowedUrls"/>.
    /// </summary>
    public string? BaseUrl { get; init; }

    /// <summary>
    /// Host patterns (<c>*.my.salesforce.com</c>, <c>http://127.0.0.1:8080</c>) that a value supplying a URL's whole
    /// origin (<c>${context.authData.accesstokencode.instance_url}/services</c>) must match; empty accepts any https host.
    /// </summary>
    public IReadOnlyList<string> OriginHosts { get; init; } = [];

    /// <summary>Query parameters of the OAuth callback to keep (QuickBooks' <c>realmId</c>), at <c>context.authData.callback.&lt;name&gt;</c>.</summary>
    public IReadOnlyList<CallbackParameterDefinition> CallbackParameters { get; init; } = [];

    /// <summary>Name → template of non-secret values engines read in a connection's metadata (an instance URL, a team id).</summary>
    public IReadOnlyDictionary<string, string> PublicExtras { get; init; } = new Dictionary<string, string>();
}

/// <summary>A proxied response means "token expired" when its status is one of <see cref="Status"/> (any, if empty) and every <see cref="Match"/> entry holds for its body.</summary>
public sealed record RefreshOnRule
{
    public IReadOnlyList<int> Status { get; init; } = [];

    /// <summary>Dotted path in the response body (JSON, or form-encoded read as an object) → the values that match, as text.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Match { get; init; } = new Dictionary<string, IReadOnlyList<string>>();
}

/// <summary>A callback query parameter the version keeps. It comes from the user's browser, so it is checked like a field value.</summary>
public sealed record CallbackParameterDefinition
{
    public string Name { get; init; } = "";

    /// <summary>When true, a callback without the parameter fails the connection attempt.</summary>
    public bool Required { get; init; }

    /// <summary>One of <see cref="FieldFormats"/>; with neither format nor pattern the value is limited to URL-safe characters.</summary>
    public string? Format { get; init; }

    /// <summary>A regular expression the whole value must match (.NET syntax, run without backtracking).</summary>
    public string? Pattern { get; init; }
}

public sealed record FieldDefinition
{
    public string Key { get; init; } = "";
    public string? Label { get; init; }
    public string? Help { get; init; }

    /// <summary><c>string</c>, <c>secret</c> or <c>select</c> (see <see cref="FieldTypes"/>).</summary>
    public string Type { get; init; } = FieldTypes.String;

    /// <summary>Allowed values of a <c>select</c> field.</summary>
    public IReadOnlyList<string>? Options { get; init; }

    public bool Required { get; init; }
    public string? Default { get; init; }

    /// <summary>What the value must look like (see <see cref="FieldFormats"/>); null accepts any text.</summary>
    public string? Format { get; init; }

    /// <summary>A regular expression the whole value must match (.NET syntax, run without backtracking); null for none.</summary>
    public string? Pattern { get; init; }
}

/// <summary>The <c>format</c> values of a field, checked on connect before anything is rendered.</summary>
public static class FieldFormats
{
    /// <summary>One DNS label (letters, digits, inner hyphens), e.g. a subdomain.</summary>
    public const string DnsLabel = "dnsLabel";

    /// <summary>A DNS name of one or more labels; the only format whose value may put dots into a URL's host.</summary>
    public const string Hostname = "hostname";

    /// <summary>An absolute https URL without user info, query or fragment (http only for loopback hosts).</summary>
    public const string Url = "url";

    public const string Email = "email";

    /// <summary>Digits only, optionally with a leading '-'.</summary>
    public const string Integer = "integer";

    public static readonly IReadOnlyList<string> All = [DnsLabel, Hostname, Url, Email, Integer];
}

public static class FieldTypes
{
    public const string String = "string";
    public const string Secret = "secret";
    public const string Select = "select";
}

public sealed record AuthorizationDefinition
{
    /// <summary>Template: the provider's authorize endpoint.</summary>
    public string? Url { get; init; }

    public string? ClientId { get; init; }

    /// <summary>Write-only: accepted on input, never returned by any API, encrypted at rest.</summary>
    public string? ClientSecret { get; init; }

    /// <summary>Scopes every connection asks for.</summary>
    public IReadOnlyList<string> Scopes { get; init; } = [];

    /// <summary>Scopes a start-connection call may add to <see cref="Scopes"/>, one by one; others are refused.</summary>
    public IReadOnlyList<string> OptionalScopes { get; init; } = [];

    /// <summary><c>space</c> (default), <c>comma</c>, <c>plus</c> (a raw <c>+</c> in the URL) or <c>custom</c> (see <see cref="ScopeSeparators"/>).</summary>
    public string ScopeSeparator { get; init; } = ScopeSeparators.Space;

    /// <summary>The literal joining scopes when <see cref="ScopeSeparator"/> is <c>custom</c>, e.g. <c>;</c>.</summary>
    public string? CustomScopeSeparator { get; init; }

    /// <summary>Standard authorize parameter → the name this provider reads it under, e.g. <c>client_id</c> → <c>app_id</c>.</summary>
    public IReadOnlyDictionary<string, string> ParameterNames { get; init; } = new Dictionary<string, string>();

    /// <summary>Standard authorize parameters this provider must not receive (<c>response_type</c>, <c>redirect_uri</c>).</summary>
    public IReadOnlyList<string> OmitParameters { get; init; } = [];

    /// <summary>
    /// How the declarative token, refresh and revoke requests authenticate the client: <c>block</c> (default: the block
    /// does it itself), <c>basic</c>, <c>body</c> or <c>both</c> (see <see cref="ClientAuthModes"/>).
    /// </summary>
    public string ClientAuthentication { get; init; } = ClientAuthModes.Block;

    /// <summary>Template map added to the authorize URL, e.g. <c>access_type=offline</c>.</summary>
    public IReadOnlyDictionary<string, string> ExtraParams { get; init; } = new Dictionary<string, string>();

    /// <summary><c>S256</c> (default), <c>plain</c> or <c>none</c>.</summary>
    public string Pkce { get; init; } = PkceModes.S256;

    /// <summary>The provider insists on PKCE: publishing refuses a version whose access-token block never sends the verifier.</summary>
    public bool PkceRequired { get; init; }

    /// <summary>The provider's issuer identifier; when set, a callback <c>iss</c> must equal it (RFC 9207).</summary>
    public string? Issuer { get; init; }

    /// <summary>A callback without <c>iss</c> is refused (RFC 9207); needs <see cref="Issuer"/>. Publishing sets it when the provider's metadata advertises <c>iss</c>.</summary>
    public bool RequireIssuerParameter { get; init; }

    /// <summary>
    /// The provider's JSON Web Key Set (the metadata's <c>jwks_uri</c>): an absolute https URL (http only for loopback
    /// hosts). With <see cref="Issuer"/> and the <c>openid</c> scope, the ID token of the token response is validated
    /// against it (docs/id-tokens.md).
    /// </summary>
    public string? JwksUrl { get; init; }
}

public static class ScopeSeparators
{
    public const string Space = "space";
    public const string Comma = "comma";

    /// <summary>A raw <c>+</c> between percent-encoded scopes (<c>read+write</c>), which the provider form-decodes to a space.</summary>
    public const string Plus = "plus";

    /// <summary>The literal in <see cref="AuthorizationDefinition.CustomScopeSeparator"/>, percent-encoded like the scopes.</summary>
    public const string Custom = "custom";
}

public static class ClientAuthModes
{
    public const string Block = "block";

    /// <summary>RFC 6749 section 2.3.1: <c>Authorization: Basic base64(urlencode(id):urlencode(secret))</c>.</summary>
    public const string Basic = "basic";

    /// <summary><c>client_id</c> and <c>client_secret</c> in the request body.</summary>
    public const string Body = "body";

    /// <summary>Basic, plus <c>client_id</c> (not the secret: one method per request, RFC 6749 section 2.3) in the body.</summary>
    public const string Both = "both";

    /// <summary>The mode one block's run applies: the token, refresh and revoke requests authenticate the client, Test Me never does.</summary>
    public static string? ForBlock(AuthorizationDefinition? authorization, string blockKind) =>
        blockKind == BlockKinds.TestMe ? null : authorization?.ClientAuthentication;
}

public static class PkceModes
{
    public const string S256 = "S256";
    public const string Plain = "plain";
    public const string None = "none";
}

/// <summary>
/// An API block: either JavaScript (<see cref="Code"/>, the body of an async function) or a
/// declarative <see cref="Request"/>. Exactly one of the two is set.
/// </summary>
public sealed record ApiBlock
{
    public string? Code { get; init; }
    public RequestDefinition? Request { get; init; }

    /// <summary>
    /// How to recognise the provider's answer as a failure from its body (providers that refuse with HTTP 200, such as
    /// <c>{"ok":false,"error":"invalid_auth"}</c>); tried in order, before the standard OAuth error codes.
    /// </summary>
    public IReadOnlyList<OutcomeRule> Outcomes { get; init; } = [];
}

/// <summary>When every <see cref="Match"/> entry holds for the body, the block failed as <see cref="Then"/> says.</summary>
public sealed record OutcomeRule
{
    /// <summary>Dotted path in the response body (JSON, or a form-encoded body read as an object) → the values that match, as text (<c>false</c>, <c>invalid_auth</c>).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Match { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary><c>permanent</c> (the user must reconnect) or <c>transient</c> (retry later); see <see cref="OutcomeKinds"/>.</summary>
    public string Then { get; init; } = OutcomeKinds.Permanent;

    /// <summary>For a transient outcome, a dotted path in the body holding the seconds to wait.</summary>
    public string? RetryAfterPath { get; init; }
}

public static class OutcomeKinds
{
    public const string Permanent = "permanent";
    public const string Transient = "transient";
}

/// <summary>A declarative HTTP request; every string is a template. The JSON response body is the result.</summary>
public sealed record RequestDefinition
{
    public string Method { get; init; } = "GET";
    public string? Url { get; init; }
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> Query { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> Body { get; init; } = new Dictionary<string, string>();

    /// <summary><c>json</c> (default), <c>form</c> or <c>raw</c> (see <see cref="BodyTypes"/>).</summary>
    public string BodyType { get; init; } = BodyTypes.Json;

    /// <summary>The body for <c>raw</c>: a template sent as is.</summary>
    public string? RawBody { get; init; }
}

public static class BodyTypes
{
    public const string Json = "json";
    public const string Form = "form";
    public const string Raw = "raw";
}

/// <summary>Template maps applied to every action/trigger request of connections of this version.</summary>
public sealed record AppendDefinition
{
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> Query { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, string> Body { get; init; } = new Dictionary<string, string>();
}

/// <summary>Where a token's lifetime comes from. By default <c>expires_in</c> of the latest token response.</summary>
public sealed record TokenExpiryDefinition
{
    /// <summary>Dotted path inside the token response holding the lifetime, e.g. <c>data.expires_in</c>.</summary>
    public string? ExpiresInPath { get; init; }

    /// <summary>Dotted path inside the token response holding an absolute expiry (epoch or ISO 8601).</summary>
    public string? ExpiresAtPath { get; init; }

    /// <summary><c>seconds</c> (default) or <c>milliseconds</c>, for numeric values.</summary>
    public string Unit { get; init; } = ExpiryUnits.Seconds;

    /// <summary>Lifetime when the response has none; null means "never expires".</summary>
    public int? DefaultLifetimeSeconds { get; init; }

    /// <summary>True when tokens of this provider never expire.</summary>
    public bool Never { get; init; }

    /// <summary>Refresh this long before expiry (capped at half the lifetime). Default 300.</summary>
    public int? RefreshMarginSeconds { get; init; }
}

/// <summary>
/// Refresh-token lifetime and reuse grace. Without it, <c>refresh_token_expires_in</c> is still read when the provider
/// sends it, and an interrupted refresh is retried with the stored token as for a provider that does not rotate.
/// </summary>
public sealed record RefreshTokenPolicyDefinition
{
    /// <summary>Dotted path in the token response holding the refresh token's lifetime in seconds. Default <c>refresh_token_expires_in</c>.</summary>
    public string? ExpiresInPath { get; init; }

    /// <summary>The lifetime of each refresh token the provider issues when its response does not say (e.g. 604800 for testing-mode apps).</summary>
    public int? LifetimeSeconds { get; init; }

    /// <summary>A <c>reconnect_soon</c> event is published this long before the refresh token dies. Default 259200 (3 days); capped at half the token's lifetime.</summary>
    public int? ReconnectSoonSeconds { get; init; }

    /// <summary>
    /// Declares that the provider rotates refresh tokens and accepts the previous one for this many seconds after
    /// rotation (Okta 30, Atlassian 600, Xero 1800; 0 for none). Null: not declared.
    /// </summary>
    public int? ReuseGraceSeconds { get; init; }
}

public static class ExpiryUnits
{
    public const string Seconds = "seconds";
    public const string Milliseconds = "milliseconds";
}

/// <summary>The four API blocks by their wire names, and where each block's result lands in authData.</summary>
public static class BlockKinds
{
    public const string AccessToken = "accessToken";
    public const string RefreshToken = "refreshToken";
    public const string RevokeToken = "revokeToken";
    public const string TestMe = "testMe";

    public static string AuthDataKey(string blockKind) => blockKind switch
    {
        AccessToken => AuthDataKeys.AccessTokenCode,
        RefreshToken => AuthDataKeys.RefreshTokenCode,
        RevokeToken => AuthDataKeys.RevokeTokenCode,
        TestMe => AuthDataKeys.TestMe,
        _ => throw new ArgumentOutOfRangeException(nameof(blockKind), blockKind, "Unknown block kind."),
    };
}
