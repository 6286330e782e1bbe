using System.Text.Json.Nodes;
using ViaSocket.Domain.Tokens;

namespace ViaSocket.Domain.Connections;

/// <summary>When a connection's token expires and when to refresh it; nulls mean "never".</summary>
public sealed record TokenLifetime(DateTimeOffset? ExpiresAt, DateTimeOffset? RefreshAt)
{
    /// <summary>
    /// A token this close to its expiry is not handed out: it could expire on its way to the caller or in the
    /// caller's first request.
    /// </summary>
    public static readonly TimeSpan ServingMargin = TimeSpan.FromSeconds(5);

    /// <summary>True when a token expiring at <paramref name="expiresAt"/> must no longer be served at <paramref name="now"/>.</summary>
    public static bool TooCloseToExpiry(DateTimeOffset? expiresAt, DateTimeOffset now) => expiresAt is { } at && now >= at - ServingMargin;

    /// <param name="tokenResult">The Access Token API result, or <c>accesstokencode</c> after a refresh merged into it.</param>
    /// <param name="requestedAt">
    /// When the token request was sent. A relative lifetime (<c>expires_in</c>) counts from when the provider issued the
    /// token, which lies between the request and the response; the response can be read seconds later on a busy silo,
    /// so counting from it would believe a token valid after the provider has let it expire.
    /// </param>
    public static TokenLifetime Compute(CompiledAuthVersion version, JsonNode? tokenResult, DateTimeOffset requestedAt)
    {
        ArgumentNullException.ThrowIfNull(version);
        var decision = TokenExpiryCalculator.Compute(tokenResult, version.Definition.TokenExpiry, requestedAt);
        return new TokenLifetime(decision.ExpiresAt, decision.RefreshAt);
    }
}
