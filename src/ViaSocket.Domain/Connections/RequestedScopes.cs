using System.Text.Json.Nodes;
using ViaSocket.Domain.Credentials;
using ViaSocket.Domain.Definitions;
using ViaSocket.Domain.Tokens;

namespace ViaSocket.Domain.Connections;

/// <summary>The scopes one connection asks for: the version's required scopes plus the optional ones its start call chose.</summary>
public static class RequestedScopes
{
    /// <summary>The most optional scopes one start call may name.</summary>
    public const int MaxChosen = 50;

    /// <summary>The most granted scopes kept, and their longest length: the provider's answer is stored and shown.</summary>
    public const int MaxGranted = 100;

    public const int MaxGrantedLength = 256;

    /// <summary>
    /// The required scopes followed by the chosen optional ones (in the version's order, once each), or the error
    /// message when a chosen one is not an optional scope of the version. The message lists what the version offers and
    /// never echoes what the caller sent.
    /// </summary>
    public static (IReadOnlyList<string> Scopes, string? Error) Resolve(AuthorizationDefinition authorization, IReadOnlyList<string>? chosen)
    {
        ArgumentNullException.ThrowIfNull(authorization);
        chosen ??= [];
        if (chosen.Count > MaxChosen)
        {
            return ([], $"At most {MaxChosen} optional scopes may be requested.");
        }

        var offered = authorization.OptionalScopes;
        var unknown = chosen.Count(scope => !offered.Contains(scope, StringComparer.Ordinal));
        if (unknown > 0)
        {
            var offers = offered.Count == 0 ? "no optional scopes" : "the optional scopes " + string.Join(", ", offered);
            return ([], $"{unknown} requested optional scope(s) are not offered; this version offers {offers}.");
        }

        return ([.. authorization.Scopes.Concat(offered.Where(scope => chosen.Contains(scope, StringComparer.Ordinal))).Distinct(StringComparer.Ordinal)], null);
    }

    /// <summary>
    /// The scopes a token response says were granted (its top-level <c>scope</c>, split by the version's separator and
    /// by whitespace), or <paramref name="requested"/> when it names none (RFC 6749 section 5.1: then the grant is what
    /// was asked for).
    /// </summary>
    public static IReadOnlyList<string>? Granted(AuthorizationDefinition authorization, JsonNode? tokenResult, IReadOnlyList<string>? requested)
    {
        ArgumentNullException.ThrowIfNull(authorization);
        return TokenResponse.Parse(tokenResult).Scope is { } scope
            ? [.. ScopeFormatter.Split(scope, authorization).Where(s => s.Length <= MaxGrantedLength).Take(MaxGranted)]
            : requested;
    }
}
