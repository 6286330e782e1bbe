namespace ViaSocket.TestProvider;

/// <summary>One authorization: the access and refresh tokens descended from a single authorization code.</summary>
internal sealed class Grant(string id, string clientId, TestUser user, IReadOnlyList<string> scopes)
{
    private volatile bool revoked;

    /// <summary>Serializes code redemption replay checks and refresh rotation for this grant.</summary>
    public Lock Gate { get; } = new();

    public string Id => id;

    public string ClientId => clientId;

    public TestUser User => user;

    public IReadOnlyList<string> Scopes => scopes;

    /// <summary>Revocation is read without the gate by token validation, hence volatile.</summary>
    public bool IsRevoked => revoked;

    public string? CurrentRefreshToken { get; set; }

    /// <summary>When <see cref="CurrentRefreshToken"/> stops being accepted; null when never.</summary>
    public DateTimeOffset? CurrentRefreshTokenExpiresAt { get; set; }

    /// <summary>The refresh token <see cref="CurrentRefreshToken"/> replaced, and when it did.</summary>
    public (string Token, DateTimeOffset RetiredAt)? LastRetired { get; set; }

    /// <summary>Every refresh token rotation retired, with when: a reuse grace forgives each for a while.</summary>
    public Dictionary<string, DateTimeOffset> RetiredAt { get; } = new(StringComparer.Ordinal);

    public int RefreshCount { get; set; }

    public void Revoke() => revoked = true;

    public GrantSnapshot Snapshot()
    {
        lock (Gate)
        {
            return new GrantSnapshot(id, clientId, user.Id, scopes, revoked, CurrentRefreshToken, RefreshCount);
        }
    }
}
