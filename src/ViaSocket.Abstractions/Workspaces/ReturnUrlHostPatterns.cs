using System.Globalization;
using System.Text.RegularExpressions;

namespace ViaSocket.Workspaces;

/// <summary>
/// Entries of a workspace's return-URL allowlist: an exact host (<c>app.example.com</c>) or a suffix pattern
/// (<c>*.example.com</c>: every subdomain at any depth, not <c>example.com</c> itself). Schemes and ports are not
/// part of an entry. The grain stores normalized entries and the front-end matches against them, so both share
/// this one definition.
/// </summary>
public static partial class ReturnUrlHostPatterns
{
    public const int MaxPatterns = 50;
    private const int MaxHostLength = 253;
    private const string WildcardPrefix = "*.";

    /// <summary>The entry in normalized form (lower case, IDN as ASCII), or the reason it is not a valid entry.</summary>
    public static (string? Pattern, string? Problem) Normalize(string? entry)
    {
        var text = entry?.Trim() ?? "";
        var wildcard = text.StartsWith(WildcardPrefix, StringComparison.Ordinal);
        var host = wildcard ? text[WildcardPrefix.Length..] : text;
        string ascii;
        try
        {
            ascii = new IdnMapping().GetAscii(host).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            return (null, "is not a host name");
        }

        if (ascii.Length > MaxHostLength || !HostName().IsMatch(ascii))
        {
            return (null, "is not a host name (letters, digits and '-' in dot-separated labels) or a '*.' suffix pattern");
        }

        if (wildcard && !ascii.Contains('.', StringComparison.Ordinal))
        {
            // '*.com' would hand a whole top-level domain to anyone who registers a name in it.
            return (null, "is a suffix pattern over a single label; name at least a registrable domain, e.g. '*.example.com'");
        }

        return ((wildcard ? WildcardPrefix : "") + ascii, null);
    }

    /// <summary>Whether <paramref name="url"/>'s host is one of <paramref name="patterns"/> (normalized entries).</summary>
    public static bool Allows(IEnumerable<string> patterns, Uri url)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        ArgumentNullException.ThrowIfNull(url);
        var host = url.IdnHost.ToLowerInvariant();
        return patterns.Any(pattern => pattern.StartsWith(WildcardPrefix, StringComparison.Ordinal)
            ? host.EndsWith(pattern[1..], StringComparison.Ordinal)
            : host == pattern);
    }

    [GeneratedRegex(@"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$", RegexOptions.CultureInvariant)]
    private static partial Regex HostName();
}
