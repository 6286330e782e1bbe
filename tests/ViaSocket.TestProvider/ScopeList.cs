namespace ViaSocket.TestProvider;

/// <summary>Splits and joins <c>scope</c> values with a client's separator.</summary>
internal static class ScopeList
{
    /// <summary>Splits a decoded value; a decoded plus-joined value has spaces where the raw one had <c>+</c>.</summary>
    public static string[] Split(string? scope, ScopeSeparator separator) =>
        scope is null
            ? []
            : scope.Split(separator == ScopeSeparator.Plus ? ' ' : SeparatorChar(separator), StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static string Join(IEnumerable<string> scopes, ScopeSeparator separator) =>
        string.Join(SeparatorChar(separator), scopes);

    /// <summary>Splits a raw (not yet percent-decoded) query value on <c>+</c>, then decodes each scope.</summary>
    public static string[] SplitRawPlus(string? rawScope) =>
        rawScope is null
            ? []
            : [.. rawScope.Split('+', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString)];

    private static char SeparatorChar(ScopeSeparator separator) => separator switch
    {
        ScopeSeparator.Comma => ',',
        ScopeSeparator.Plus => '+',
        _ => ' ',
    };
}
