using System.Globalization;
using System.Text.RegularExpressions;

namespace ViaSocket.Domain.Workspaces;

/// <summary>
/// Entries of a workspace's return-URL allowlist. Each names an origin: scheme, host and port, all three compared.
/// <list type="bullet">
/// <item><c>app.example.com</c> or <c>*.example.com</c> (no scheme, as entries were before schemes and ports counted):
/// https on port 443 only. <c>*.</c> is every subdomain at any depth, not <c>example.com</c> itself.</item>
/// <item><c>http://localhost:3000</c>, <c>https://*.example.com:8443</c>: the scheme (http or https) and the port
/// given; without a port, the scheme's default port.</item>
/// </list>
/// Normalized entries are lower case with IDN hosts as ASCII; an https entry on port 443 is written without scheme
/// (so it reads as it always did), any other one as <c>scheme://host[:port]</c> with the port only when not the
/// scheme's default. The grain stores normalized entries and the front-end matches against them, so both share this
/// one definition.
/// </summary>
public static partial class ReturnUrlHostPatterns
{
    public const int MaxPatterns = 50;
    private const int MaxHostLength = 253;
    private const string WildcardPrefix = "*.";
    private const string SchemeSeparator = "://";

    /// <summary>The entry in normalized form, or the reason it is not a valid entry.</summary>
    public static (string? Pattern, string? Problem) Normalize(string? entry)
    {
        var (origin, problem) = Parse(entry?.Trim() ?? "");
        return origin is null ? (null, problem) : (origin.Value.ToString(), null);
    }

    /// <summary>Whether <paramref name="url"/>'s scheme, host and port are those of one of <paramref name="patterns"/> (normalized entries).</summary>
    public static bool Allows(IEnumerable<string> patterns, Uri url)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        ArgumentNullException.ThrowIfNull(url);
        var host = url.IdnHost.ToLowerInvariant();
        return patterns.Any(pattern => Parse(pattern).Origin is { } origin
            && origin.Scheme == url.Scheme
            && origin.Port == url.Port
            && origin.MatchesHost(host));
    }

    private static (Origin? Origin, string? Problem) Parse(string text)
    {
        var scheme = Uri.UriSchemeHttps;
        var schemeEnd = text.IndexOf(SchemeSeparator, StringComparison.Ordinal);
        if (schemeEnd >= 0)
        {
            scheme = text[..schemeEnd].ToLowerInvariant();
            if (scheme != Uri.UriSchemeHttps && scheme != Uri.UriSchemeHttp)
            {
                return (null, "has a scheme other than http or https");
            }

            text = text[(schemeEnd + SchemeSeparator.Length)..].TrimEnd('/');
        }

        var port = DefaultPort(scheme);
        var portStart = text.LastIndexOf(':');
        if (portStart >= 0)
        {
            if (schemeEnd < 0)
            {
                return (null, "has a port but no scheme; write the origin, e.g. 'https://app.example.com:8443'");
            }

            if (!int.TryParse(text[(portStart + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
            {
                return (null, "has a port that is not a number from 1 to 65535");
            }

            text = text[..portStart];
        }

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
            return (null, "is not a host name (letters, digits and '-' in dot-separated labels) or a '*.' suffix pattern, optionally as 'http(s)://host[:port]'");
        }

        if (wildcard && !ascii.Contains('.', StringComparison.Ordinal))
        {
            // '*.com' would hand a whole top-level domain to anyone who registers a name in it.
            return (null, "is a suffix pattern over a single label; name at least a registrable domain, e.g. '*.example.com'");
        }

        return (new Origin(scheme, (wildcard ? WildcardPrefix : "") + ascii, port), null);
    }

    private static int DefaultPort(string scheme) => scheme == Uri.UriSchemeHttps ? 443 : 80;

    private readonly record struct Origin(string Scheme, string HostPattern, int Port)
    {
        public bool MatchesHost(string host) => HostPattern.StartsWith(WildcardPrefix, StringComparison.Ordinal)
            ? host.EndsWith(HostPattern[1..], StringComparison.Ordinal)
            : host == HostPattern;

        public override string ToString() => (Scheme, Port == DefaultPort(Scheme)) switch
        {
            ("https", true) => HostPattern,
            (_, true) => Scheme + SchemeSeparator + HostPattern,
            _ => string.Create(CultureInfo.InvariantCulture, $"{Scheme}{SchemeSeparator}{HostPattern}:{Port}"),
        };
    }

    [GeneratedRegex(@"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$", RegexOptions.CultureInvariant)]
    private static partial Regex HostName();
}
