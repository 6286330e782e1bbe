using ViaSocket.Domain.Definitions;

namespace ViaSocket.Domain.Credentials;

/// <summary>Joins a version's scopes the way its provider expects.</summary>
public static class ScopeFormatter
{
    /// <summary>
    /// Joins <paramref name="scopes"/> with a space or a comma (<see cref="ScopeSeparators"/>), trimming each
    /// scope and skipping blanks and repeats.
    /// </summary>
    public static string Join(IEnumerable<string> scopes, string separator)
    {
        ArgumentNullException.ThrowIfNull(scopes);
        var joiner = separator switch
        {
            ScopeSeparators.Space => " ",
            ScopeSeparators.Comma => ",",
            _ => throw new ArgumentOutOfRangeException(nameof(separator), separator, "Use space or comma."),
        };
        return string.Join(joiner, scopes
            .Where(scope => !string.IsNullOrWhiteSpace(scope))
            .Select(scope => scope.Trim())
            .Distinct(StringComparer.Ordinal));
    }
}
