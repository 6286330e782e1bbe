using System.Text.Json.Nodes;
using ViaSocket.Domain.Definitions;
using ViaSocket.Domain.Tokens;

namespace ViaSocket.Domain.Connections;

/// <summary>A failure the provider signalled in its response body, whatever the HTTP status.</summary>
/// <param name="Permanent">True: the grant is gone and the user must reconnect; false: retry later.</param>
/// <param name="Error">The provider's error value (e.g. <c>invalid_grant</c>), or the matched rule's values.</param>
public sealed record ProviderOutcome(bool Permanent, string Error, TimeSpan? RetryAfter);

/// <summary>
/// Recognises failures in a provider's answer body: first the block's declared <see cref="OutcomeRule"/>s, then the
/// standard OAuth error codes (RFC 6749 section 5.2) in a JSON or form-encoded body, which are permanent whatever
/// the status: GitHub answers a refused refresh with 200 and <c>error=bad_refresh_token</c>, Reddit with 200 and
/// <c>{"error":"invalid_grant"}</c>.
/// </summary>
public static class ProviderOutcomes
{
    /// <summary>Errors that mean the grant or the client is no good: retrying cannot help.</summary>
    public static IReadOnlySet<string> StandardPermanentErrors { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "invalid_grant", "invalid_client", "unauthorized_client", "unsupported_grant_type", "invalid_scope",
    };

    public static ProviderOutcome? Recognize(JsonNode? body, IReadOnlyList<OutcomeRule> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var document = ResponseBodyMatch.AsDocument(body);
        if (document is null)
        {
            return null;
        }

        foreach (var rule in rules)
        {
            if (ResponseBodyMatch.Holds(document, rule.Match))
            {
                var error = string.Join(", ", rule.Match.Keys.Select(path => $"{path}={ResponseBodyMatch.Text(DottedPath.Find(document, path))}"));
                return rule.Then == OutcomeKinds.Transient
                    ? new ProviderOutcome(false, error, RetryAfter(document, rule.RetryAfterPath))
                    : new ProviderOutcome(true, error, null);
            }
        }

        return document is JsonObject obj && ResponseBodyMatch.Text(obj["error"]) is { } code && StandardPermanentErrors.Contains(code)
            ? new ProviderOutcome(true, code, null)
            : null;
    }

    private static TimeSpan? RetryAfter(JsonNode document, string? path) =>
        path is not null && TokenResponse.ReadNumber(DottedPath.Find(document, path)) is { } seconds && seconds >= 0
            ? TimeSpan.FromSeconds(Math.Min(seconds, TimeSpan.FromDays(1).TotalSeconds))
            : null;
}
