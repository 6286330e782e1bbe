using System.Text.Json.Nodes;
using ViaSocket.Domain.Tokens;

namespace ViaSocket.Domain.Connections;

/// <summary>When a connection's token expires and when to refresh it; nulls mean "never".</summary>
public sealed record TokenLifetime(DateTimeOffset? ExpiresAt, DateTimeOffset? RefreshAt)
{
    /// <param name="tokenResult">The Access Token API result, or <c>accesstokencode</c> after a refresh merged into it.</param>
    public static TokenLifetime Compute(CompiledAuthVersion version, JsonNode? tokenResult, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(version);
        var decision = TokenExpiryCalculator.Compute(tokenResult, version.Definition.TokenExpiry, now);
        return new TokenLifetime(decision.ExpiresAt, decision.RefreshAt);
    }
}
