using System.Text;
using ViaSocket.Domain.Definitions;

namespace ViaSocket.Domain.Credentials;

/// <summary>Joins and splits a version's scopes the way its provider expects.</summary>
public static class ScopeFormatter
{
    /// <summary>The text between two scopes as the provider reads it (after it decodes the query).</summary>
    public static string Separator(AuthorizationDefinition authorization)
    {
        ArgumentNullException.ThrowIfNull(authorization);
        return Separator(authorization.ScopeSeparator, authorization.CustomScopeSeparator);
    }

    /// <summary>
    /// See <see cref="Separator(AuthorizationDefinition)"/>. A raw <c>+</c> in a query is a form-encoded space, so
    /// <c>plus</c> reads as a space.
    /// </summary>
    public static string Separator(string separator, string? custom) => separator switch
    {
        ScopeSeparators.Space or ScopeSeparators.Plus => " ",
        ScopeSeparators.Comma => ",",
        ScopeSeparators.Custom when !string.IsNullOrEmpty(custom) => custom,
        _ => throw new ArgumentOutOfRangeException(nameof(separator), separator, "Use space, comma, plus, or custom with a customScopeSeparator."),
    };

    /// <summary>Joins <paramref name="scopes"/> with <paramref name="separator"/>, trimming each scope and skipping blanks and repeats.</summary>
    public static string Join(IEnumerable<string> scopes, string separator)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        return string.Join(separator, Clean(scopes));
    }

    /// <summary>
    /// The <c>scope</c> value as it goes into the authorize URL's query: each scope percent-encoded, joined by the
    /// percent-encoded separator, except for <c>plus</c>, whose <c>+</c> stays raw (providers that document
    /// <c>read+write</c> refuse <c>%2B</c>, and read <c>%20</c> as part of one scope).
    /// </summary>
    public static string EncodeForQuery(IEnumerable<string> scopes, AuthorizationDefinition authorization)
    {
        ArgumentNullException.ThrowIfNull(authorization);
        var joiner = authorization.ScopeSeparator == ScopeSeparators.Plus ? "+" : Uri.EscapeDataString(Separator(authorization));
        return string.Join(joiner, Clean(scopes).Select(Uri.EscapeDataString));
    }

    /// <summary>
    /// Splits a token response's <c>scope</c> on the version's separator and on whitespace (providers joining with
    /// commas in the authorize URL often answer space-separated); repeats are dropped.
    /// </summary>
    public static IReadOnlyList<string> Split(string? scope, AuthorizationDefinition authorization)
    {
        ArgumentNullException.ThrowIfNull(authorization);
        if (string.IsNullOrWhiteSpace(scope))
        {
            return [];
        }

        var separator = Separator(authorization);
        var spaced = new StringBuilder(scope).Replace(separator, " ").ToString();
        if (authorization.ScopeSeparator == ScopeSeparators.Plus)
        {
            // A body that was never form-decoded still shows the plus.
            spaced = spaced.Replace('+', ' ');
        }

        return Clean(spaced.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }

    private static string[] Clean(IEnumerable<string> scopes) =>
        [.. scopes.Where(scope => !string.IsNullOrWhiteSpace(scope)).Select(scope => scope.Trim()).Distinct(StringComparer.Ordinal)];
}
