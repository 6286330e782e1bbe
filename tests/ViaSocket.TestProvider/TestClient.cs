namespace ViaSocket.TestProvider;

/// <summary>A confidential OAuth client registered at the test provider, with the provider quirks it should exhibit.</summary>
/// <param name="RedirectUris">Callback URIs, compared by exact string equality (RFC 9700 section 2.1).</param>
public sealed record TestClient(string ClientId, string ClientSecret, IReadOnlyList<string> RedirectUris)
{
    /// <summary>The issuer named when <see cref="IssuerParameter"/> is <see cref="IssuerParameterMode.Wrong"/>.</summary>
    public const string WrongIssuer = "https://mix-up.attacker.example";

    /// <summary>The default value is <see cref="ClientAuthMethods.ClientSecretBasic"/>, the RFC 8414 default.</summary>
    public ClientAuthMethods AuthMethods { get; init; } = ClientAuthMethods.ClientSecretBasic;

    /// <summary>Whether an authorization request without <c>code_challenge</c> is refused. The default value is <see langword="true"/>.</summary>
    public bool RequirePkce { get; init; } = true;

    /// <summary>Scopes the client may ask for; empty allows any scope. The default value is empty.</summary>
    public IReadOnlyList<string> AllowedScopes { get; init; } = [];

    /// <summary>How the <c>scope</c> parameter is split. The default value is <see cref="ScopeSeparator.Space"/>.</summary>
    public ScopeSeparator ScopeSeparator { get; init; } = ScopeSeparator.Space;

    /// <summary>
    /// Scopes the user never grants, even when asked: the code's grant (and the token response's <c>scope</c>) lacks
    /// them, as when a user unticks a permission. The default value is empty.
    /// </summary>
    public IReadOnlyList<string> WithheldScopes { get; init; } = [];

    /// <summary>
    /// Authorize parameters this provider reads under another name (standard name → its name, e.g. <c>client_id</c> →
    /// <c>app_id</c>); the standard name is then unknown to it. The default value is empty.
    /// </summary>
    public IReadOnlyDictionary<string, string> ParameterNames { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Whether the authorize request carries <c>response_type</c>. When off, the provider refuses a request that sends
    /// one, as providers with a single flow do. The default value is <see langword="true"/>.
    /// </summary>
    public bool ExpectsResponseType { get; init; } = true;

    /// <summary>The name this client's provider reads <paramref name="standardName"/> under.</summary>
    public string ParameterName(string standardName) => ParameterNames.GetValueOrDefault(standardName, standardName);

    /// <summary>Extra query parameters added to the callback, like QuickBooks' <c>realmId</c>. The default value is empty.</summary>
    public IReadOnlyDictionary<string, string> CallbackExtras { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// When not empty, token responses carry <c>instance_url</c> like Salesforce's: the code exchange the first entry, the
    /// n-th refresh of a grant entry n (the last one once they run out). The default value is empty (no <c>instance_url</c>).
    /// </summary>
    public IReadOnlyList<string> InstanceUrls { get; init; } = [];

    /// <summary>The default value is <see cref="IssuerParameterMode.Correct"/>.</summary>
    public IssuerParameterMode IssuerParameter { get; init; } = IssuerParameterMode.Correct;

    /// <summary>The default value is <see cref="TokenResponseStyle.Standard"/>.</summary>
    public TokenResponseStyle TokenResponseStyle { get; init; } = TokenResponseStyle.Standard;

    /// <summary>Lifetime of issued access tokens, enforced against the server's <see cref="TimeProvider"/>. The default value is one hour.</summary>
    public TimeSpan AccessTokenLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Whether the code exchange returns a refresh token at all. The default value is <see langword="true"/>.</summary>
    public bool IssueRefreshTokens { get; init; } = true;

    /// <summary>
    /// Whether each refresh returns a new refresh token and retires the old one. When off, refresh responses
    /// carry no <c>refresh_token</c> and the original stays valid. The default value is <see langword="true"/>.
    /// </summary>
    public bool RotateRefreshTokens { get; init; } = true;

    /// <summary>How the protected API answers this client's expired access tokens. The default value is <see cref="ExpiredTokenAnswer.Unauthorized"/>.</summary>
    public ExpiredTokenAnswer ExpiredTokenAnswer { get; init; } = ExpiredTokenAnswer.Unauthorized;

    /// <summary>
    /// How long a refresh token replaced by rotation is still accepted (each acceptance rotates again), the way Okta,
    /// Atlassian and Xero forgive a client that lost an answer; after it, the retired token is reuse and revokes the
    /// grant. Measured on the server's <see cref="TimeProvider"/>. The default value is zero: no grace.
    /// </summary>
    public TimeSpan RefreshTokenReuseGrace { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// When set, each issued refresh token lives this long (refused with <c>invalid_grant</c> after it, on the server's
    /// <see cref="TimeProvider"/>) and the token response says so in <c>refresh_token_expires_in</c>. The default value is null: refresh tokens never expire.
    /// </summary>
    public TimeSpan? RefreshTokenLifetime { get; init; }
}
