using System.Globalization;
using System.Text.RegularExpressions;

namespace ViaSocket;

/// <summary>What an id of a workspace, plugin, version, owner or connection may look like.</summary>
public static partial class Identifiers
{
    public const int MaxLength = 100;

    /// <summary>Letters, digits, <c>_</c>, <c>-</c> and <c>.</c>, starting with a letter or digit: safe in URLs, grain keys and logs.</summary>
    public static bool IsValid(string? id) => id is { Length: > 0 and <= MaxLength } && IdPattern().IsMatch(id);

    /// <summary>
    /// True when <paramref name="text"/> (a description, a key of a caller's map) holds no control characters
    /// (Unicode Cc: line breaks, NUL, escapes that forge log lines) and no format characters (Cf: zero-width and
    /// bidirectional controls that make text look like something else).
    /// </summary>
    public static bool IsPlainText(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return !text.Any(c => char.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format);
    }

    // \z, not $: $ also matches before a trailing "\n", which would let "abc\n" through.
    [GeneratedRegex(@"\A[A-Za-z0-9][A-Za-z0-9_.-]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();
}
