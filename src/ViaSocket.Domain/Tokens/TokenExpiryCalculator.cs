using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ViaSocket.Domain.Definitions;

namespace ViaSocket.Domain.Tokens;

/// <summary>When a token expires and when to refresh it.</summary>
/// <param name="ExpiresAt">Null when the token never expires.</param>
/// <param name="RefreshAt">When to refresh proactively; null when the token never expires.</param>
public sealed record ExpiryDecision(DateTimeOffset? ExpiresAt, DateTimeOffset? RefreshAt)
{
    public static ExpiryDecision Never { get; } = new(null, null);
}

/// <summary>Computes token expiry from a token response and the version's <see cref="TokenExpiryDefinition"/>.</summary>
public static class TokenExpiryCalculator
{
    /// <summary>Default seconds before expiry at which a token is refreshed.</summary>
    public const int DefaultRefreshMarginSeconds = 300;

    private const string ExpiresIn = "expires_in";

    /// <summary>
    /// Reads the lifetime from <paramref name="tokenResult"/>: <c>expiresAtPath</c> (epoch in <c>unit</c>, or
    /// ISO 8601) when configured, else <c>expiresInPath</c> or <c>expires_in</c> (number or numeric string, in
    /// <c>unit</c>), else <c>defaultLifetimeSeconds</c>, else never. The refresh time is
    /// <c>expiresAt − min(refreshMargin, lifetime / 2)</c>, so short-lived tokens refresh halfway.
    /// </summary>
    public static ExpiryDecision Compute(JsonNode? tokenResult, TokenExpiryDefinition? definition, DateTimeOffset now)
    {
        if (definition?.Never == true)
        {
            return ExpiryDecision.Never;
        }

        var milliseconds = definition?.Unit == ExpiryUnits.Milliseconds;
        var expiresAt = definition?.ExpiresAtPath is { } atPath
            ? ReadInstant(DottedPath.Find(tokenResult, atPath), milliseconds)
            : null;

        if (expiresAt is null
            && TokenResponse.ReadNumber(DottedPath.Find(tokenResult, definition?.ExpiresInPath ?? ExpiresIn)) is { } lifetime)
        {
            expiresAt = now + (milliseconds ? TimeSpan.FromMilliseconds(lifetime) : TimeSpan.FromSeconds(lifetime));
        }

        if (expiresAt is null && definition?.DefaultLifetimeSeconds is { } defaultLifetime)
        {
            expiresAt = now + TimeSpan.FromSeconds(defaultLifetime);
        }

        if (expiresAt is not { } expiry)
        {
            return ExpiryDecision.Never;
        }

        var remaining = expiry - now;
        var margin = TimeSpan.FromSeconds(definition?.RefreshMarginSeconds ?? DefaultRefreshMarginSeconds);
        var halfLife = remaining > TimeSpan.Zero ? remaining / 2 : TimeSpan.Zero;
        return new ExpiryDecision(expiry, expiry - (margin < halfLife ? margin : halfLife));
    }

    private static DateTimeOffset? ReadInstant(JsonNode? node, bool milliseconds)
    {
        if (TokenResponse.ReadNumber(node) is { } epoch)
        {
            return milliseconds
                ? DateTimeOffset.UnixEpoch.AddMilliseconds(epoch)
                : DateTimeOffset.UnixEpoch.AddSeconds(epoch);
        }

        return node?.GetValueKind() == JsonValueKind.String
            && DateTimeOffset.TryParse(node.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var instant)
            ? instant
            : null;
    }
}
