namespace ViaSocket.TestProvider;

/// <summary>Splits and joins <c>scope</c> values with a client's separator.</summary>
internal static class ScopeList
{
    public static string[] Split(string? scope, ScopeSeparator separator) =>
        scope is null
            ? []
            : scope.Split(SeparatorChar(separator), StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static string Join(IEnumerable<string> scopes, ScopeSeparator separator) =>
        string.Join(SeparatorChar(separator), scopes);

    private static char SeparatorChar(ScopeSeparator separator) => separator == ScopeSeparator.Comma ? ',' : ' ';
}
