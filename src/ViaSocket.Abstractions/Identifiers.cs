using System.Text.RegularExpressions;

namespace ViaSocket;

/// <summary>What an id of a workspace, plugin, version, owner or connection may look like.</summary>
public static partial class Identifiers
{
    public const int MaxLength = 100;

    /// <summary>Letters, digits, <c>_</c>, <c>-</c> and <c>.</c>, starting with a letter or digit: safe in URLs, grain keys and logs.</summary>
    public static bool IsValid(string? id) => id is { Length: > 0 and <= MaxLength } && IdPattern().IsMatch(id);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();
}
