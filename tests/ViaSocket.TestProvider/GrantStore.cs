using System.Collections.Concurrent;

namespace ViaSocket.TestProvider;

/// <summary>Tokens handed to a client by a successful grant.</summary>
/// <param name="RefreshCount">How many refreshes of the grant came before these tokens (0 for the code exchange).</param>
/// <param name="Nonce">The authorization request's nonce, for the code exchange's ID token.</param>
internal sealed record IssuedTokens(string AccessToken, TimeSpan Lifetime, string? RefreshToken, IReadOnlyList<string> Scopes, int RefreshCount, TestUser User, string? Nonce = null);

/// <summary>Either issued tokens or the RFC 6749 error that refused them.</summary>
internal sealed record GrantOutcome(IssuedTokens? Tokens, OAuthError? Error)
{
    public static GrantOutcome Issued(IssuedTokens tokens) => new(tokens, null);

    public static GrantOutcome Refused(OAuthError error) => new(null, error);
}

/// <summary>An access token and what it grants.</summary>
internal sealed record AccessTokenEntry(Grant Grant, DateTimeOffset ExpiresAt);

/// <summary>
/// All authorization codes, grants and tokens, in memory. Each code and each grant has its own lock so
/// replay and rotation decisions are atomic without serializing unrelated clients.
/// </summary>
internal sealed class GrantStore(TimeProvider time, TestProviderOptions options, ProviderCounters counters)
{
    private readonly ConcurrentDictionary<string, IssuedCode> codes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Grant> grants = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, AccessTokenEntry> accessTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Grant> refreshTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> issuedSecrets = new();

    /// <summary>Every code, access token and refresh token ever issued, for tests that search for leaked secrets.</summary>
    public IReadOnlyCollection<string> IssuedSecrets => issuedSecrets;

    public int ActiveGrantCount => grants.Values.Count(grant => !grant.IsRevoked);

    public string CreateCode(AuthorizationRequest request, TestUser user)
    {
        var value = OpaqueTokens.Create();
        issuedSecrets.Enqueue(value);
        codes[value] = new IssuedCode(request, user, time.GetUtcNow() + options.AuthorizationCodeLifetime);
        return value;
    }

    /// <summary>The authorization code grant, RFC 6749 4.1.3, with PKCE (RFC 7636 4.6) and replay revocation (4.1.2).</summary>
    public GrantOutcome RedeemCode(TestClient client, string code, string? redirectUri, string? codeVerifier)
    {
        if (!codes.TryGetValue(code, out var issued))
        {
            return GrantOutcome.Refused(OAuthError.InvalidGrant("The authorization code is unknown."));
        }

        lock (issued.Gate)
        {
            if (issued.Grant is { } earlier)
            {
                earlier.Revoke();
                return GrantOutcome.Refused(OAuthError.InvalidGrant(
                    "The authorization code was already used; the tokens issued from it are revoked."));
            }

            if (time.GetUtcNow() >= issued.ExpiresAt)
            {
                return GrantOutcome.Refused(OAuthError.InvalidGrant("The authorization code has expired."));
            }

            var request = issued.Request;
            if (request.Client.ClientId != client.ClientId)
            {
                return GrantOutcome.Refused(OAuthError.InvalidGrant("The authorization code was issued to another client."));
            }

            if (redirectUri is null)
            {
                return GrantOutcome.Refused(OAuthError.InvalidRequest("The redirect_uri parameter is required."));
            }

            if (redirectUri != request.RedirectUri)
            {
                return GrantOutcome.Refused(OAuthError.InvalidGrant(
                    "The redirect_uri does not match the one in the authorization request."));
            }

            if (CheckPkce(request, codeVerifier) is { } pkceError)
            {
                return GrantOutcome.Refused(pkceError);
            }

            var grant = new Grant(OpaqueTokens.Create(), client.ClientId, issued.User, request.Scopes);
            grants[grant.Id] = grant;
            issued.Grant = grant;
            lock (grant.Gate)
            {
                return GrantOutcome.Issued(IssueTokens(grant, client, request.Scopes, client.IssueRefreshTokens) with { Nonce = request.Nonce });
            }
        }
    }

    /// <summary>The refresh grant, RFC 6749 section 6, with rotation and reuse detection (RFC 9700 4.14.2).</summary>
    public GrantOutcome Refresh(TestClient client, string refreshToken, IReadOnlyList<string>? requestedScopes)
    {
        if (!refreshTokens.TryGetValue(refreshToken, out var grant))
        {
            return GrantOutcome.Refused(OAuthError.InvalidGrant("The refresh token is unknown."));
        }

        lock (grant.Gate)
        {
            if (grant.IsRevoked)
            {
                return GrantOutcome.Refused(OAuthError.InvalidGrant("The refresh token has been revoked."));
            }

            if (grant.ClientId != client.ClientId)
            {
                return GrantOutcome.Refused(OAuthError.InvalidGrant("The refresh token was issued to another client."));
            }

            var now = time.GetUtcNow();
            var forgiven = grant.CurrentRefreshToken != refreshToken
                && grant.RetiredAt.TryGetValue(refreshToken, out var retiredAt) && now < retiredAt + client.RefreshTokenReuseGrace;
            if (forgiven)
            {
                counters.CountGraceReplay();
            }
            else if (grant.CurrentRefreshToken != refreshToken)
            {
                // A retired token coming back means two parties hold it; revoke everything so neither keeps access.
                grant.Revoke();
                counters.CountRefreshTokenReuse(new RefreshTokenReuseRecord(
                    time.GetUtcNow(), grant.LastRetired is { } last && last.Token == refreshToken ? last.RetiredAt : null));
                return GrantOutcome.Refused(OAuthError.InvalidGrant(
                    "The refresh token was already used; the authorization is revoked."));
            }
            else if (now >= grant.CurrentRefreshTokenExpiresAt)
            {
                return GrantOutcome.Refused(OAuthError.InvalidGrant("The refresh token has expired."));
            }

            var scopes = requestedScopes ?? grant.Scopes;
            if (scopes.Except(grant.Scopes, StringComparer.Ordinal).Any())
            {
                return GrantOutcome.Refused(new OAuthError(
                    OAuthWire.Errors.InvalidScope, "The requested scope exceeds the scope originally granted."));
            }

            grant.RefreshCount++;
            return GrantOutcome.Issued(IssueTokens(grant, client, scopes, client.RotateRefreshTokens));
        }
    }

    public AccessTokenEntry? FindActiveAccessToken(string accessToken) =>
        accessTokens.TryGetValue(accessToken, out var entry)
        && !entry.Grant.IsRevoked
        && time.GetUtcNow() < entry.ExpiresAt
            ? entry
            : null;

    /// <summary>The client an issued access token belongs to, whether or not the token is still active.</summary>
    public string? ClientIdOf(string accessToken) => accessTokens.TryGetValue(accessToken, out var entry) ? entry.Grant.ClientId : null;

    /// <summary>Ends one access token's life now, as a provider that expires tokens early would; its grant stays.</summary>
    public bool ExpireAccessToken(string accessToken)
    {
        if (!accessTokens.TryGetValue(accessToken, out var entry))
        {
            return false;
        }

        accessTokens[accessToken] = entry with { ExpiresAt = time.GetUtcNow() };
        return true;
    }

    /// <summary>Revokes the grant an access or refresh token belongs to; <paramref name="clientId"/> null means any client.</summary>
    public bool RevokeGrantOf(string token, string? clientId)
    {
        var grant = accessTokens.TryGetValue(token, out var entry) ? entry.Grant
            : refreshTokens.TryGetValue(token, out var owner) ? owner
            : null;
        if (grant is null || (clientId is not null && grant.ClientId != clientId))
        {
            return false;
        }

        grant.Revoke();
        return true;
    }

    public GrantSnapshot? SnapshotFor(string refreshToken) =>
        refreshTokens.TryGetValue(refreshToken, out var grant) ? grant.Snapshot() : null;

    private static OAuthError? CheckPkce(AuthorizationRequest request, string? codeVerifier)
    {
        if (request.CodeChallenge is null)
        {
            // RFC 9700 2.1.1: a verifier without a challenge is a downgrade attempt.
            return codeVerifier is null ? null : OAuthError.InvalidGrant("A code_verifier was sent but no code_challenge was.");
        }

        if (codeVerifier is null)
        {
            return OAuthError.InvalidRequest("The code_verifier parameter is required.");
        }

        if (!Pkce.IsWellFormedVerifier(codeVerifier))
        {
            return OAuthError.InvalidRequest("The code_verifier is malformed.");
        }

        return Pkce.Matches(request.CodeChallenge, request.CodeChallengeMethod ?? OAuthWire.PkceMethods.Plain, codeVerifier)
            ? null
            : OAuthError.InvalidGrant("The code_verifier does not match the code_challenge.");
    }

    /// <summary>Issues an access token and, when asked, a new refresh token that retires the previous one. Caller holds the grant's gate.</summary>
    private IssuedTokens IssueTokens(Grant grant, TestClient client, IReadOnlyList<string> scopes, bool issueRefreshToken)
    {
        var accessToken = OpaqueTokens.Create();
        issuedSecrets.Enqueue(accessToken);
        accessTokens[accessToken] = new AccessTokenEntry(grant, time.GetUtcNow() + client.AccessTokenLifetime);

        string? refreshToken = null;
        if (issueRefreshToken)
        {
            refreshToken = OpaqueTokens.Create();
            issuedSecrets.Enqueue(refreshToken);
            refreshTokens[refreshToken] = grant;
            var now = time.GetUtcNow();
            if (grant.CurrentRefreshToken is { } retired)
            {
                grant.LastRetired = (retired, now);
                grant.RetiredAt[retired] = now;
            }

            grant.CurrentRefreshToken = refreshToken;
            grant.CurrentRefreshTokenExpiresAt = now + client.RefreshTokenLifetime;
        }

        return new IssuedTokens(accessToken, client.AccessTokenLifetime, refreshToken, scopes, grant.RefreshCount, grant.User);
    }

    /// <summary>A code and its bindings. Kept after redemption so a replay can be recognised and punished.</summary>
    private sealed class IssuedCode(AuthorizationRequest request, TestUser user, DateTimeOffset expiresAt)
    {
        public Lock Gate { get; } = new();

        public AuthorizationRequest Request => request;

        public TestUser User => user;

        public DateTimeOffset ExpiresAt => expiresAt;

        /// <summary>Set on first redemption; non-null means the code is spent.</summary>
        public Grant? Grant { get; set; }
    }
}
