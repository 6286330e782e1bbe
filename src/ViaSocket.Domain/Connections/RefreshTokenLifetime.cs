using System.Text.Json;
using System.Text.Json.Nodes;
using ViaSocket.Domain.Definitions;
using ViaSocket.Domain.Tokens;

namespace ViaSocket.Domain.Connections;

/// <summary>When a connection's refresh token dies and when to warn that it will; nulls mean unknown (or warned already).</summary>
/// <param name="ExpiresAt">When the refresh token stops working; null when the provider never said and the version declares no lifetime.</param>
/// <param name="ReconnectSoonAt">When to publish <c>reconnect_soon</c>; null when there is nothing to warn about or the warning went out.</param>
public sealed record RefreshTokenLifetime(DateTimeOffset? ExpiresAt, DateTimeOffset? ReconnectSoonAt)
{
    public const string DefaultExpiresInPath = "refresh_token_expires_in";

    /// <summary>The default warning lead: three days leave a user who is away for a weekend time to reconnect.</summary>
    public const int DefaultReconnectSoonSeconds = 3 * 24 * 3600;

    public const int MaxReconnectSoonSeconds = 30 * 24 * 3600;

    /// <summary>Five years: a longer declared lifetime is a typo, not a provider.</summary>
    public const int MaxLifetimeSeconds = 5 * 366 * 24 * 3600;

    private const string RefreshTokenMember = "refresh_token";

    public static RefreshTokenLifetime Unknown { get; } = new(null, null);

    /// <summary>
    /// The refresh token's lifetime after a token response: the lifetime the response states (<c>expiresInPath</c>),
    /// else the declared <c>lifetimeSeconds</c> for a newly issued refresh token, else, when the response carries no new
    /// refresh token, the <paramref name="previous"/> one's (the stored token lives on unchanged).
    /// </summary>
    /// <param name="tokenResult">The Access or Refresh Token API result.</param>
    /// <param name="requestedAt">When the token request was sent; the provider counts the lifetime from a moment after it.</param>
    public static RefreshTokenLifetime Compute(RefreshTokenPolicyDefinition? policy, JsonNode? tokenResult, RefreshTokenLifetime previous, DateTimeOffset requestedAt)
    {
        ArgumentNullException.ThrowIfNull(previous);
        var issuedNew = tokenResult?[RefreshTokenMember] is JsonValue value && value.GetValueKind() == JsonValueKind.String && value.GetValue<string>().Length > 0;
        var stated = TokenResponse.ReadNumber(DottedPath.Find(tokenResult, policy?.ExpiresInPath ?? DefaultExpiresInPath)) is { } seconds && seconds > 0
            ? Math.Min(seconds, MaxLifetimeSeconds)
            : (double?)null;
        var lifetime = stated ?? (issuedNew ? policy?.LifetimeSeconds : null);
        if (lifetime is not { } lifetimeSeconds)
        {
            return issuedNew ? Unknown : previous;
        }

        var expiresAt = requestedAt + TimeSpan.FromSeconds(lifetimeSeconds);

        // A provider that restates the lifetime of the same token must not make the warning go out again.
        var warnedAlready = !issuedNew && previous is { ExpiresAt: not null, ReconnectSoonAt: null };
        var lead = TimeSpan.FromSeconds(Math.Min(policy?.ReconnectSoonSeconds ?? DefaultReconnectSoonSeconds, lifetimeSeconds / 2));
        return new RefreshTokenLifetime(expiresAt, warnedAlready ? null : expiresAt - lead);
    }

    /// <summary>True once a refresh token expiring at <paramref name="expiresAt"/> is dead: presenting it could only fail.</summary>
    public static bool IsExpired(DateTimeOffset? expiresAt, DateTimeOffset now) => expiresAt is { } at && now >= at;
}
